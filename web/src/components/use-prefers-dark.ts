// Whether the user prefers a dark colour scheme (the charts follow it like the CSS does).
import { useSyncExternalStore } from "react";

const query = (): MediaQueryList => window.matchMedia("(prefers-color-scheme: dark)");

/** True while the system asks for dark colours; re-renders when that changes. */
export function usePrefersDark(): boolean {
  return useSyncExternalStore(
    (listener) => {
      const list = query();
      list.addEventListener("change", listener);
      return () => list.removeEventListener("change", listener);
    },
    () => query().matches,
  );
}
