// Which adversaries a run includes (`npm run simulate -- --adversaries farmer,shill`). Pure: no chain.

/** Each plays one economic attack of SECURITY.md against the real contracts. */
export const ADVERSARY_NAMES = ["farmer", "squatter", "shill"] as const;

export type AdversaryName = (typeof ADVERSARY_NAMES)[number];

/** Words that name a set rather than one adversary. */
const GROUPS = ["all", "none"] as const;

const isName = (word: string): word is AdversaryName => (ADVERSARY_NAMES as readonly string[]).includes(word);

/**
 * Parses a comma-separated list of adversary names, `all` or `none` (case and spaces ignored). Returns
 * the adversaries in ADVERSARY_NAMES order, each once, so that the same set always sets up the same way.
 * @throws Error naming the bad word and the allowed ones.
 */
export function parseAdversaries(value: string): AdversaryName[] {
  const allowed = `allowed: ${[...ADVERSARY_NAMES, ...GROUPS].join(", ")}`;
  const chosen = new Set<AdversaryName>();
  for (const raw of value.split(",")) {
    const word = raw.trim().toLowerCase();
    if (word === "all") for (const name of ADVERSARY_NAMES) chosen.add(name);
    else if (word === "none") continue;
    else if (isName(word)) chosen.add(word);
    else if (word === "") throw new Error(`empty adversary name in "${value}" (${allowed})`);
    else throw new Error(`unknown adversary "${raw.trim()}" (${allowed})`);
  }
  return ADVERSARY_NAMES.filter((name) => chosen.has(name));
}
