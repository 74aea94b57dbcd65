/**
 * `work`, or what `onDeadline` gives (or throws) once `ms` have passed without it settling. The work is not
 * cancelled: whoever needs that passes an AbortSignal to it and aborts in `onDeadline`. The timer is cleared as soon
 * as either side settles.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onDeadline: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onDeadline());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
