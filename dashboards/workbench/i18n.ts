/**
 * The workbench's own words. GraphiQL's editor, docs and history keep GraphiQL's English; the schema's
 * descriptions in its docs come from the catalogue, Vietnamese and English.
 */
import { label } from '../spec.ts';

export const T = {
  title: label('Bàn làm việc phân tích', "Analyst's workbench"),
  switchLang: label('English', 'Tiếng Việt'),
  key: label('Khoá API', 'API key'),
  keyPlaceholder: label('pcmbn_… (chỉ giữ trong phiên này)', 'pcmbn_… (kept for this session only)'),
  useKey: label('Dùng khoá', 'Use key'),
  forgetKey: label('Quên khoá', 'Forget key'),
  keyInUse: label('Đang dùng khoá', 'Key in use'),
  demoKey: label('Khoá xem của bản demo', "The demo's viewer key"),
  anonymous: label('Máy chủ cho phép xem không cần khoá', 'This server lets viewers in without a key'),
  questions: label('Câu hỏi có sẵn', 'Saved questions'),
  readmeExamples: label('Ví dụ trong README', "The README's examples"),
  dashboardQueries: label('Truy vấn của các bảng điều khiển', "The dashboards' queries"),
  myQueries: label('Truy vấn của tôi', 'My queries'),
  myQueriesHelp: label(
    'Các thẻ đang mở được lưu trong trình duyệt này. Tải về để giữ hoặc chia sẻ.',
    'The open tabs are kept in this browser. Download them to keep or share them.',
  ),
  exportQueries: label('Tải các truy vấn (.graphql)', 'Download the queries (.graphql)'),
  download: label('Tải kết quả', 'Download the answer'),
  csv: label('CSV', 'CSV'),
  xlsx: label('Excel (XLSX)', 'Excel (XLSX)'),
  chooseList: label('Câu trả lời có nhiều danh sách; chọn một:', 'The answer holds several lists; choose one:'),
  badVariables: label('Biến (variables) không phải JSON hợp lệ', 'The variables are not valid JSON'),
  downloading: label('Đang tải…', 'Downloading…'),
};
