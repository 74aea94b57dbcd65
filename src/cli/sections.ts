import { listSections } from '../catalog/queries.ts';
import { type Command, parseOptions } from './command.ts';

export const sections: Command = {
  usage: "sections                               list the role's sections",
  async run(ctx) {
    parseOptions(ctx.args, {});
    const rt = await ctx.runtime();
    const role = await rt.catalog.current();
    for (const s of await listSections(rt.db, role.id)) {
      ctx.io.out(`${String(s.number).padStart(2)}. ${s.title} (${s.duties} duties)`);
    }
    return 0;
  },
};
