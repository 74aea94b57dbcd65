/**
 * Bolt runs the middleware chain of every registered listener for every request it receives (App.processEvent
 * maps over all of them before any listener acks), so each registration costs every request, acks included.
 * The bot therefore registers one listener per kind of request (command, events, actions) and routes here.
 */
export type Listener<A> = (args: A) => Promise<void>;

/** The listener whose key equals `key`, or else the first whose pattern matches it; undefined when none does. */
export function routeBy<A>(
  routes: readonly (readonly [string | RegExp, Listener<A>])[],
): (key: string) => Listener<A> | undefined {
  const exact = new Map<string, Listener<A>>();
  const patterns: [RegExp, Listener<A>][] = [];
  for (const [key, listener] of routes) {
    if (typeof key === 'string') exact.set(key, listener);
    else patterns.push([key, listener]);
  }
  return (key) => exact.get(key) ?? patterns.find(([pattern]) => pattern.test(key))?.[1];
}
