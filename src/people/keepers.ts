import type { Profile, Profiles } from './profiles.ts';

/**
 * Why someone may or may not change what others see. Keepers are the Slack user ids in ADMINS and the workspace's
 * admins and owners; the command line has no Slack identity and is trusted (whoever runs it holds the database).
 */
export type KeeperReason = 'admins_setting' | 'workspace_admin' | 'workspace_owner' | 'not_keeper' | 'unknown';

export interface KeeperCheck {
  keeper: boolean;
  reason: KeeperReason;
}

export interface Keepers {
  check(teamId: string, userId: string): Promise<KeeperCheck>;
  /** The same judgement from a profile already at hand (undefined: Slack could not tell), with no lookup. */
  judge(userId: string, profile: Profile | undefined): KeeperCheck;
  /** The ADMINS setting, for refusals that say who can. */
  readonly admins: readonly string[];
}

/** The one permission model: every place a person changes shared state asks it. */
export function createKeepers(options: { admins: readonly string[]; profiles: Profiles }): Keepers {
  const admins = new Set(options.admins);
  const judge = (userId: string, profile: Profile | undefined): KeeperCheck => {
    if (admins.has(userId)) return { keeper: true, reason: 'admins_setting' };
    // Slack could not tell right now: refuse (the asker can try again), never guess in their favour.
    if (!profile) return { keeper: false, reason: 'unknown' };
    if (profile.deleted || profile.isBot) return { keeper: false, reason: 'not_keeper' };
    if (profile.isOwner) return { keeper: true, reason: 'workspace_owner' };
    if (profile.isAdmin) return { keeper: true, reason: 'workspace_admin' };
    return { keeper: false, reason: 'not_keeper' };
  };
  return {
    admins: [...admins],
    judge,
    async check(teamId, userId) {
      if (admins.has(userId)) return judge(userId, undefined);
      return judge(userId, await options.profiles.get(teamId, userId));
    },
  };
}
