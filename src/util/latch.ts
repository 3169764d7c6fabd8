// A promise and the function that resolves it, for tests that hold one party until another arrives
// (Promise.withResolvers without the reject, which node 20 lacks).
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
