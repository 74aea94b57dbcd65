import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog } from '../catalog/catalog.ts';
import { AppError } from '../errors.ts';
import { mergeTaughtAliases } from '../teach/export.ts';
import { listTaughtAliases } from '../teach/store.ts';
import { type Command, parseOptions, UsageError } from './command.ts';

/**
 * `mle-duties aliases export`: the phrases keepers taught in Slack, written into catalog.json's `aliases` (of the
 * catalog directory, or of a copy of it in --out), ready to review, commit and `import`.
 */
export const aliases: Command = {
  usage: 'aliases export [--team T] [--out DIR]  taught phrases into catalog.json (data/ or a copy in DIR) to commit',
  async run(ctx) {
    const { values, positionals } = parseOptions(ctx.args, { team: { type: 'string' }, out: { type: 'string' } }, true);
    if (positionals.length !== 1 || positionals[0] !== 'export') {
      throw new UsageError('aliases takes one subcommand: export');
    }
    const { db, config } = await ctx.runtime();
    const from = config.catalogDir;
    const to = values.out ? path.resolve(values.out) : from;
    const taught = await listTaughtAliases(db, values.team);
    const before = readFileSync(path.join(from, 'catalog.json'), 'utf8');
    const merged = mergeTaughtAliases(before, taught);

    if (to !== from) {
      // A whole catalog directory, so `CATALOG_DIR=<out> mle-duties import` can load it as it is.
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(from, { withFileTypes: true })) {
        if (f.isFile() && f.name !== 'catalog.json' && !existsSync(path.join(to, f.name))) {
          copyFileSync(path.join(from, f.name), path.join(to, f.name));
        }
      }
    }
    const target = path.join(to, 'catalog.json');
    const previous = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    writeFileSync(target, merged.text);
    try {
      loadCatalog(to);
    } catch (err) {
      // Never leave a catalog that `import` would refuse.
      if (previous === undefined) writeFileSync(target, before);
      else writeFileSync(target, previous);
      throw new AppError('catalog_invalid', `The exported catalog would not load: ${(err as Error).message}`, {
        cause: err,
      });
    }
    ctx.io.out(
      `${merged.added.length} taught alias${merged.added.length === 1 ? '' : 'es'} added to ${target}` +
        ` (${merged.present} already there, ${merged.skipped.length} skipped${values.team ? `; workspace ${values.team}` : ''}).`,
    );
    for (const a of merged.added) ctx.io.out(`  + ${a.dutyId}: ${a.phrase}`);
    for (const s of merged.skipped) ctx.io.out(`  - ${s.dutyId}: ${s.phrase} (${s.why})`);
    if (merged.added.length > 0) ctx.io.out('Review it (git diff), commit it, and run `mle-duties import`.');
    return 0;
  },
};
