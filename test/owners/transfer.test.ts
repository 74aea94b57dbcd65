import { describe, expect, it } from 'vitest';
import { readImportFile, toCsv } from '../../src/owners/transfer.ts';

describe('owners files', () => {
  it("reads CSV with a header, quotes, CRLF and a BOM, keeping each row's line number", () => {
    const rows = readImportFile(
      '\uFEFFduty_id,owners,backups,group\r\n"2:Model, Monitoring","UA1 bob@x.io",UB1,backup:SML1\r\n\r\n4:Code Review,UA1;UC1,,S123\r\n',
    );
    expect(rows).toEqual([
      {
        line: 2,
        dutyId: '2:Model, Monitoring',
        owners: ['UA1', 'bob@x.io'],
        backups: ['UB1'],
        group: { id: 'SML1', kind: 'backup' },
      },
      { line: 4, dutyId: '4:Code Review', owners: ['UA1', 'UC1'], backups: [], group: { id: 'S123', kind: 'owner' } },
    ]);
  });

  it('reads what export --json writes', () => {
    const rows = readImportFile(
      JSON.stringify([
        { dutyId: '1:X', title: 'X', owners: ['UA1'], backups: [], usergroup: { id: 'S1', kind: 'backup' } },
      ]),
    );
    expect(rows).toEqual([
      { line: 1, dutyId: '1:X', owners: ['UA1'], backups: [], group: { id: 'S1', kind: 'backup' } },
    ]);
    expect(() => readImportFile('[oops')).toThrow(/not valid JSON/);
  });

  it('writes CSV that reads back the same, and no cell a spreadsheet would run as a formula', () => {
    const csv = toCsv([
      { dutyId: '2:Model Monitoring', title: 'Model Monitoring', owners: ['UA1', 'UA2'], backups: ['UB1'] },
      { dutyId: '=HYPERLINK("x")', title: 't', owners: [], backups: [], usergroup: { id: 'S1', kind: 'backup' } },
    ]);
    expect(csv.split('\n')[2]).toBe('"\'=HYPERLINK(""x"")",,,backup:S1');
    const back = readImportFile(csv);
    expect(back[0]).toEqual({ line: 2, dutyId: '2:Model Monitoring', owners: ['UA1', 'UA2'], backups: ['UB1'] });
  });
});
