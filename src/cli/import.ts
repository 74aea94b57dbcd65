import { type Command, parseOptions } from './command.ts';

export const importCatalog: Command = {
  usage:
    'import                                 sync the catalog (data/, or CATALOG_DIR) into the database now; running bots see it within a second',
  async run(ctx) {
    parseOptions(ctx.args, {});
    const { sync } = await ctx.runtime();
    ctx.io.out(
      sync.changed
        ? `Catalog synced: ${sync.upserted} duties upserted, ${sync.retired} retired.`
        : 'Catalog already up to date.',
    );
    return 0;
  },
};
