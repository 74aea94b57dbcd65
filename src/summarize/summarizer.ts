import { createHash } from 'node:crypto';
import type { Db } from '../db/db.ts';
import { withDeadline } from '../deadline.ts';
import { hashId, type Logger, silentLogger } from '../log.ts';
import { tokenize } from '../search/text.ts';
import { type FailureReason, type LlmConfig, LlmError, type Provider } from './llm-error.ts';
import {
  buildMessages,
  type IntroRequest,
  introMessages,
  MAX_ENTRIES,
  makeCanary,
  PROMPT_VERSION,
  type PromptEntry,
} from './prompt.ts';
import { checkOutput, toMrkdwn } from './safety.ts';
import { openCircuit, readCache, readCircuit, takeCall, writeCache } from './store.ts';

export type SkipReason = 'disabled' | 'rate_limited' | 'circuit_open' | 'no_matches';

export type SummaryOutcome =
  | {
      kind: 'summary';
      /** Safe Slack mrkdwn: escaped, invisible/control characters gone, citations [n] checked. */
      text: string;
      /** The same, unescaped, for terminals (the CLI); control characters are gone here too. */
      plain: string;
      cached: boolean;
    }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'failed'; reason: FailureReason };

export interface SummaryRequest {
  question: string;
  /** Search matches, best first; only the first few are sent. */
  matches: readonly PromptEntry[];
  /** Who asked (Slack user id, "cli"): the per-user cap counts by it; stored only as a hash. */
  userKey: string;
}

export interface SummarizerLimits {
  /** LLM calls per user per minute; over it the plain answer stands alone. Cache hits are free. */
  perUserPerMinute: number;
  /** LLM calls per minute for all users of all processes together. */
  globalPerMinute: number;
  /** How long a refused key (401) or a spent quota (429 insufficient_quota) keeps every call away. */
  circuitOpenMs: number;
  /** Upper bound on how long a plain 429 keeps calls away (its retry-after, within 1 s – this). */
  maxBackoffMs: number;
  cacheTtlMs: number;
}

const DEFAULT_LIMITS: SummarizerLimits = {
  perUserPerMinute: 6,
  globalPerMinute: 60,
  circuitOpenMs: 5 * 60_000,
  maxBackoffMs: 60_000,
  cacheTtlMs: 24 * 60 * 60_000,
};

export interface SummarizerStats {
  /** HTTP requests that left for the provider, retries included. */
  requests: number;
  summaries: number;
  cacheHits: number;
  cacheMisses: number;
  skipped: Record<SkipReason, number>;
  failed: Partial<Record<FailureReason, number>>;
}

export interface Summarizer {
  readonly enabled: boolean;
  /**
   * Never throws, never takes longer than `llm.timeoutMs` in total. Lines about this request (a failure, the cap)
   * go to `requestLog` when given, so they carry the id of the Slack request that asked.
   */
  summarize(request: SummaryRequest, requestLog?: Logger): Promise<SummaryOutcome>;
  /**
   * The summary already cached for this request, or undefined: no provider call, no cap taken,
   * never throws. For showing again what was shown once (Slack's "Share in channel").
   */
  cached(request: SummaryRequest): Promise<(SummaryOutcome & { kind: 'summary' }) | undefined>;
  /**
   * A one-line intro for a digest section, within the same caps, circuit and deadline as summaries; undefined when
   * disabled, capped, failed or refused (the digest then uses its fixed intro). Never throws.
   */
  introduce(section: IntroRequest): Promise<string | undefined>;
  /** Counters since start, for logs and metrics. */
  stats(): SummarizerStats;
}

/** Whose calls digests' intros count as, in the per-user cap. */
const DIGEST_USER_KEY = 'digest';

export interface SummarizerDeps {
  db: Db;
  /** `config.llm`; undefined turns summaries off. */
  llm: LlmConfig | undefined;
  logger?: Logger;
  limits?: Partial<SummarizerLimits>;
  now?: () => number;
  /** Replaces the OpenAI-compatible client (tests of the service alone). */
  provider?: Provider;
  fetch?: typeof fetch;
}

/** Key of one summary: the question as the search engine reads it, the entries given (ids and texts), model, prompt. */
export function cacheKey(question: string, entries: readonly PromptEntry[], model: string): string {
  // Entry texts are in the key so that an edited duty is summarised afresh, not served from an old summary.
  const payload = JSON.stringify([
    PROMPT_VERSION,
    model,
    tokenize(question).join(' '),
    entries.map((e) => [e.id, e.sectionTitle, e.title, e.description]),
  ]);
  return createHash('sha256').update(payload).digest('hex');
}

export function createSummarizer(deps: SummarizerDeps): Summarizer {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? Date.now;
  const log = (deps.logger ?? silentLogger).child({ component: 'summarizer' });
  const stats: SummarizerStats = {
    requests: 0,
    summaries: 0,
    cacheHits: 0,
    cacheMisses: 0,
    skipped: { disabled: 0, rate_limited: 0, circuit_open: 0, no_matches: 0 },
    failed: {},
  };
  const snapshot = (): SummarizerStats => ({ ...stats, skipped: { ...stats.skipped }, failed: { ...stats.failed } });

  const llm = deps.llm;
  if (!llm) {
    return {
      enabled: false,
      async summarize() {
        stats.skipped.disabled++;
        return { kind: 'skipped', reason: 'disabled' };
      },
      async cached() {
        return undefined;
      },
      async introduce() {
        return undefined;
      },
      stats: snapshot,
    };
  }

  // The OpenAI SDK (provider.ts) is loaded only here, with summaries on, and in the background: a process without a
  // key never loads it (~5 MiB, 100–200 ms of start), and the first summary does not wait for it.
  const sdk = import('./provider.ts');
  sdk.catch(() => {});
  const provider: Provider = deps.provider ?? {
    model: llm.model,
    id: llm.baseUrl ?? 'openai',
    complete: async (messages, opts) => {
      const { createOpenAiProvider } = await sdk;
      openAi ??= createOpenAiProvider(llm, { logger: log, fetch: deps.fetch, onRequest: () => void stats.requests++ });
      return openAi.complete(messages, opts);
    },
  };
  let openAi: Provider | undefined;
  // The deadline timer fires a little early: timers run late under load, and the promise is "within timeoutMs".
  const budget = llm.timeoutMs - Math.min(20, Math.floor(llm.timeoutMs * 0.02));
  // Mirrors the Postgres circuit so an open circuit costs this process no query at all.
  let localOpenUntil = 0;

  const tripCircuit = async (err: LlmError) => {
    let ms: number | undefined;
    if (err.reason === 'auth' || err.reason === 'quota') ms = limits.circuitOpenMs;
    else if (err.reason === 'rate_limited')
      ms = Math.min(Math.max(err.retryAfterMs ?? 10_000, 1000), limits.maxBackoffMs);
    if (ms === undefined) return;
    const at = now();
    localOpenUntil = Math.max(localOpenUntil, at + ms);
    const level = err.reason === 'rate_limited' ? 'warn' : 'error';
    log[level]('LLM circuit opened', { reason: err.reason, forMs: ms });
    await openCircuit(deps.db, provider.id, at + ms, err.reason, at).catch((e) =>
      log.warn('could not record the LLM circuit', { err: e }),
    );
  };

  const work = async (
    req: SummaryRequest,
    rlog: Logger,
    signal: AbortSignal,
    deadlineAt: number,
    publish: (o: SummaryOutcome) => void,
  ): Promise<SummaryOutcome> => {
    const entries = req.matches.slice(0, MAX_ENTRIES);
    const key = cacheKey(req.question, entries, provider.model);
    const canary = makeCanary();
    const messages = buildMessages(req.question, entries, canary);
    const system = messages[0]?.content ?? '';

    let cached: string | undefined;
    try {
      cached = await readCache(deps.db, key, now());
    } catch (err) {
      throw new LlmError('db', 'summary cache unreadable', { cause: err });
    }
    if (cached !== undefined) {
      const checked = checkOutput(cached, { entryCount: entries.length, canary, system });
      if (checked.ok) return { kind: 'summary', text: toMrkdwn(checked.plain), plain: checked.plain, cached: true };
    }

    if (localOpenUntil > now()) return { kind: 'skipped', reason: 'circuit_open' };
    try {
      const open = await readCircuit(deps.db, provider.id, now());
      if (open) {
        localOpenUntil = open.openUntil;
        return { kind: 'skipped', reason: 'circuit_open' };
      }
      const taken = await takeCall(
        deps.db,
        `user:${hashId(req.userKey)}`,
        { perUser: limits.perUserPerMinute, global: limits.globalPerMinute },
        now(),
      );
      if (taken !== 'ok') {
        rlog.info('LLM call over the cap', { cap: taken, user: hashId(req.userKey) });
        return { kind: 'skipped', reason: 'rate_limited' };
      }
    } catch (err) {
      throw new LlmError('db', 'LLM limits unreadable', { cause: err });
    }

    let raw: string;
    try {
      raw = await provider.complete(messages, { signal, deadlineAt });
    } catch (err) {
      const e = err instanceof LlmError ? err : new LlmError('internal', 'provider failed', { cause: err });
      await tripCircuit(e);
      throw e;
    }
    const checked = checkOutput(raw, { entryCount: entries.length, canary, system });
    if (!checked.ok) throw new LlmError(checked.reason, `LLM answer refused: ${checked.reason}`);
    const outcome: SummaryOutcome = {
      kind: 'summary',
      text: toMrkdwn(checked.plain),
      plain: checked.plain,
      cached: false,
    };
    // Ready to show even if the cache write below outlives the deadline.
    publish(outcome);
    await writeCache(
      deps.db,
      {
        key,
        question: req.question.slice(0, 2000),
        entryIds: entries.map((e) => e.id),
        model: provider.model,
        promptVersion: PROMPT_VERSION,
        summary: checked.plain,
      },
      now(),
      limits.cacheTtlMs,
    ).catch((err) => rlog.warn('could not cache a summary', { err }));
    return outcome;
  };

  const record = (outcome: SummaryOutcome, req: SummaryRequest, rlog: Logger, started: number, cause?: unknown) => {
    if (outcome.kind === 'summary') {
      stats.summaries++;
      if (outcome.cached) stats.cacheHits++;
      else stats.cacheMisses++;
    } else if (outcome.kind === 'skipped') stats.skipped[outcome.reason]++;
    else {
      stats.failed[outcome.reason] = (stats.failed[outcome.reason] ?? 0) + 1;
      rlog.warn('LLM summary failed; the plain answer stands', {
        reason: outcome.reason,
        status: cause instanceof LlmError ? cause.status : undefined,
        user: hashId(req.userKey),
        ms: Date.now() - started,
        err: cause,
      });
    }
    return outcome;
  };

  return {
    enabled: true,
    stats: snapshot,
    async cached(req) {
      if (req.matches.length === 0) return undefined;
      const entries = req.matches.slice(0, MAX_ENTRIES);
      try {
        const text = await readCache(deps.db, cacheKey(req.question, entries, provider.model), now());
        if (text === undefined) return undefined;
        // Checked again like a fresh answer: a row written under other rules must not slip through.
        const canary = makeCanary();
        const system = buildMessages(req.question, entries, canary)[0]?.content ?? '';
        const checked = checkOutput(text, { entryCount: entries.length, canary, system });
        return checked.ok
          ? { kind: 'summary', text: toMrkdwn(checked.plain), plain: checked.plain, cached: true }
          : undefined;
      } catch (err) {
        log.warn('summary cache unreadable', { err });
        return undefined;
      }
    },
    async summarize(req, requestLog) {
      const started = Date.now();
      const rlog = requestLog?.child({ component: 'summarizer' }) ?? log;
      if (req.matches.length === 0) return record({ kind: 'skipped', reason: 'no_matches' }, req, rlog, started);
      const deadlineAt = started + budget;
      const controller = new AbortController();
      let ready: SummaryOutcome | undefined;
      const attempt = work(req, rlog, controller.signal, deadlineAt, (o) => {
        ready = o;
      }).then(
        (outcome) => ({ outcome, cause: undefined as unknown }),
        (err: unknown) => {
          const e = err instanceof LlmError ? err : new LlmError('internal', 'summarizer failed', { cause: err });
          return { outcome: { kind: 'failed', reason: e.reason } as SummaryOutcome, cause: e };
        },
      );
      // Everything (cache, limits, provider, retries) races one deadline; whatever is late is aborted and ignored.
      const { outcome, cause } = await withDeadline(attempt, budget, () => {
        controller.abort();
        return ready
          ? { outcome: ready, cause: undefined }
          : {
              outcome: { kind: 'failed', reason: 'timeout' } as SummaryOutcome,
              cause: new LlmError('timeout', 'deadline'),
            };
      });
      return record(outcome, req, rlog, started, cause);
    },
    async introduce(section) {
      const controller = new AbortController();
      const deadlineAt = Date.now() + budget;
      const attempt = (async (): Promise<string | undefined> => {
        if (localOpenUntil > now()) return undefined;
        const open = await readCircuit(deps.db, provider.id, now());
        if (open) return undefined;
        const limit = { perUser: limits.perUserPerMinute, global: limits.globalPerMinute };
        if ((await takeCall(deps.db, `user:${DIGEST_USER_KEY}`, limit, now())) !== 'ok') return undefined;
        const canary = makeCanary();
        const messages = introMessages(section, canary);
        let raw: string;
        try {
          raw = await provider.complete(messages, { signal: controller.signal, deadlineAt });
        } catch (err) {
          await tripCircuit((await sdk).classify(err));
          throw err;
        }
        const checked = checkOutput(raw, { entryCount: 0, canary, system: messages[0]?.content ?? '' });
        return checked.ok ? checked.plain : undefined;
      })().catch((err: unknown) => {
        log.warn('LLM digest intro failed; the fixed intro stands', { err });
        return undefined;
      });
      return withDeadline(attempt, budget, () => {
        controller.abort();
        return undefined;
      });
    },
  };
}
