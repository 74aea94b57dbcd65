import type { WebClient } from '@slack/web-api';
import { activeDutyIds, type DutyRow, dutiesInSection, listSections } from '../catalog/queries.ts';
import type { SlackDeps } from './deps.ts';
import { homeView } from './messages/browse.ts';

/** The owners of the shown section's duties, the role's unowned count, and the edit picker for those who may edit. */
async function homeOwners(deps: SlackDeps, teamId: string, userId: string, roleId: string, duties: DutyRow[]) {
  try {
    const all = await activeDutyIds(deps.db, roleId);
    const [overview, edit] = await Promise.all([
      deps.owners.overview(teamId, all, deps.now()),
      deps.owners.mayEdit(teamId, userId),
    ]);
    const shown = new Set(duties.map((d) => d.id));
    const lines = new Map([...overview.lines].filter(([id]) => shown.has(id)));
    return {
      display: { lines, ...(edit.allowed ? { action: 'edit' as const } : {}) },
      unowned: overview.unowned.length,
      total: all.length,
    };
  } catch (err) {
    deps.logger.warn('home: owners could not be read; shown without them', { err });
    return undefined;
  }
}

/** Publishes the Home tab for one user, showing one section (the first by default) and one page of it. */
export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
  sectionNumber?: number,
  page = 0,
  teamId?: string,
): Promise<void> {
  const view = await deps.work(async () => {
    const role = await deps.catalog.current();
    const sections = await listSections(deps.db, role.id);
    const selected = sections.find((s) => s.number === sectionNumber) ?? sections[0];
    const current = selected
      ? { section: selected, duties: await dutiesInSection(deps.db, role.id, selected.number), page }
      : undefined;
    return homeView(
      role.name,
      sections,
      current,
      current && teamId ? await homeOwners(deps, teamId, userId, role.id, current.duties) : undefined,
    );
  });
  await client.views.publish({ user_id: userId, view });
}
