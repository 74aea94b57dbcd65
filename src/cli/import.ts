import { type Command, parseOptions } from './command.ts';

export const importCatalog: Command = {
  usage: 'import                                 sync data/ (or CATALOG_DIR) into the database; running bots follow',
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
