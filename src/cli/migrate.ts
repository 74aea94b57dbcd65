import { type Command, parseOptions } from './command.ts';

export const migrateDatabase: Command = {
  usage: 'migrate                                apply database migrations',
  async run(ctx) {
    parseOptions(ctx.args, {});
    await ctx.runtime();
    ctx.io.out('Migrations applied.');
    return 0;
  },
};
