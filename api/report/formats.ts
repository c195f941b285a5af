/** The formats a periodic report is written in: a module of its own, so that the command line can offer them
 * without loading the Word writer. */
export type ReportFormat = 'md' | 'docx';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'docx'];
