import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, loadCatalog } from '../../src/catalog/catalog.ts';
import { parseRoleDocument } from '../../src/catalog/source.ts';
import { isAppError } from '../../src/errors.ts';

const catalog = loadCatalog();
const source = parseRoleDocument(readFileSync(path.join(DATA_DIR, catalog.role.source), 'utf8'));

describe('the catalog in data/', () => {
  it('agrees with the source document entry for entry', () => {
    expect(catalog.sections).toEqual(source.sections);
    expect(catalog.entries.map(({ section, title, description }) => ({ section, title, description }))).toEqual(
      source.entries,
    );
  });

  it('has the role, its 10 sections and 111 duties, with repeated titles kept apart by section', () => {
    expect(catalog.role.id).toBe('mle');
    expect(catalog.sections).toHaveLength(10);
    expect(catalog.entries).toHaveLength(111);
    const ids = catalog.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(111);
    expect(ids).toEqual(
      expect.arrayContaining(['2:Model Deployment', '9:Model Deployment', '7:Cross Functional Collaboration']),
    );
  });

  it('leaves the FAQ and the editorial text out', () => {
    const text = JSON.stringify(catalog.entries);
    expect(text).not.toMatch(/What is a job role|Editorial|Lamwork/);
  });

  it('gives every duty aliases, none of them a copy of its title', () => {
    for (const e of catalog.entries) {
      expect(e.aliases.length, e.id).toBeGreaterThanOrEqual(3);
      expect(
        e.aliases.map((a) => a.toLowerCase()),
        e.id,
      ).not.toContain(e.title.toLowerCase());
    }
  });

  it('has a synonym table of the field', () => {
    const terms = new Map(catalog.synonyms.map((s) => [s.term.toLowerCase(), s.means]));
    expect(terms.get('prod')).toMatch(/production/);
    expect(catalog.synonyms.length).toBeGreaterThan(50);
  });
});

describe('loadCatalog on broken data', () => {
  const copy = (mutate: (catalogJson: string) => string | undefined) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-data-'));
    const raw = mutate(readFileSync(path.join(DATA_DIR, 'catalog.json'), 'utf8'));
    if (raw !== undefined) writeFileSync(path.join(dir, 'catalog.json'), raw);
    for (const file of ['synonyms.json', 'concepts.json', 'topics.json']) {
      writeFileSync(path.join(dir, file), readFileSync(path.join(DATA_DIR, file)));
    }
    return dir;
  };
  const failure = (dir: string) => {
    try {
      loadCatalog(dir);
    } catch (err) {
      return err;
    }
    throw new Error('expected loadCatalog to fail');
  };

  it('names the missing file', () => {
    const err = failure(copy(() => undefined));
    expect(isAppError(err, 'catalog_file_missing')).toBe(true);
    expect((err as Error).message).toContain('catalog.json');
  });

  it('names the file when it is not JSON', () => {
    const err = failure(copy((raw) => raw.slice(0, 500)));
    expect(isAppError(err, 'catalog_invalid')).toBe(true);
    expect((err as Error).message).toMatch(/catalog\.json is not valid JSON/);
  });

  it('refuses a synonym term given twice, naming both', () => {
    const dir = copy((raw) => raw);
    const file = path.join(dir, 'synonyms.json');
    const synonyms = JSON.parse(readFileSync(file, 'utf8'));
    const first = synonyms.synonyms[0];
    synonyms.synonyms.push({ term: first.term.toUpperCase(), means: 'something else' });
    writeFileSync(file, JSON.stringify(synonyms));
    const err = failure(dir);
    expect(isAppError(err, 'catalog_invalid')).toBe(true);
    expect((err as Error).message).toContain(
      `synonym #${synonyms.synonyms.length} ("${first.term.toUpperCase()}") repeats synonym #1`,
    );
  });

  it('names the entry and the field that is wrong', () => {
    const err = failure(
      copy((raw) => {
        const json = JSON.parse(raw);
        json.entries[4].description = '';
        return JSON.stringify(json);
      }),
    );
    expect((err as Error).message).toMatch(/entry #5 \(1:Data Engineering\), field description/);
  });

  it('refuses an id that does not follow section:Title', () => {
    const err = failure(
      copy((raw) => {
        const json = JSON.parse(raw);
        json.entries[0].id = 'something-else';
        return JSON.stringify(json);
      }),
    );
    expect((err as Error).message).toMatch(/id must be "1:Machine Learning"/);
  });
});
