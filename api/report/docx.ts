/**
 * The report as a Word document (the `docx` package): A4, Times New Roman 13 pt as Vietnamese administrative
 * documents are set (Decree 30/2020/NĐ-CP), the header and title centred, one paragraph per block.
 */
import { AlignmentType, Document, HeadingLevel, LevelFormat, Packer, Paragraph, TextRun } from 'docx';
import type { Block } from './compose.ts';

const FONT = 'Times New Roman';
const SIZE = 26; // half-points: 13 pt

function paragraph(b: Block): Paragraph[] {
  const run = (text: string, o: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new TextRun({ text, font: FONT, size: o.size ?? SIZE, bold: o.bold, italics: o.italics });
  switch (b.kind) {
    case 'header':
      return b.lines.map(
        (line, i) =>
          new Paragraph({
            alignment: i === 0 ? AlignmentType.CENTER : AlignmentType.RIGHT,
            spacing: { after: 120 },
            children: [run(line, { bold: i === 0, italics: i > 0 })],
          }),
      );
    case 'title':
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { before: 240 },
          children: [run(b.text, { bold: true, size: 28 })],
        }),
      ];
    case 'subtitle':
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { after: 240 },
          children: [run(b.text, { bold: true })],
        }),
      ];
    case 'heading':
      return [
        new Paragraph({
          heading: HeadingLevel.HEADING_1,
          spacing: { before: 240, after: 120 },
          children: [run(b.text, { bold: true })],
        }),
      ];
    case 'subheading':
      return [
        new Paragraph({
          heading: HeadingLevel.HEADING_2,
          spacing: { before: 120, after: 60 },
          children: [run(b.text, { bold: true, italics: true })],
        }),
      ];
    case 'paragraph':
      return [new Paragraph({ alignment: AlignmentType.JUSTIFIED, spacing: { after: 120 }, children: [run(b.text)] })];
    case 'bullet':
      return [
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          numbering: { reference: 'dash', level: 0 },
          spacing: { after: 60 },
          children: [run(b.text)],
        }),
      ];
  }
}

export async function toDocx(blocks: Block[], title: string): Promise<Buffer> {
  const doc = new Document({
    title,
    creator: 'pcmbn-warehouse',
    styles: { default: { document: { run: { font: FONT, size: SIZE } } } },
    numbering: {
      config: [
        {
          reference: 'dash',
          levels: [
            {
              level: 0,
              format: LevelFormat.BULLET,
              text: '-',
              alignment: AlignmentType.LEFT,
              style: { paragraph: { indent: { left: 567, hanging: 283 } } },
            },
          ],
        },
      ],
    },
    sections: [
      {
        properties: {
          page: { size: { width: 11906, height: 16838 }, margin: { top: 1134, bottom: 1134, left: 1701, right: 1134 } },
        },
        children: blocks.flatMap(paragraph),
      },
    ],
  });
  return Packer.toBuffer(doc);
}
