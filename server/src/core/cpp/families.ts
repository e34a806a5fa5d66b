// Families of element classes: variants of one element that differ in how they share state
// across threads (a per-thread table and a locked one, a plain counter and an atomic one). Found
// from the index only: names that share a stem once a variant suffix is removed (`...MP`,
// `...IMP`, `..._CuckooPP`), `EXPORT_ELEMENT(Class-Alias)` aliases, one class deriving from the
// other or both from a base named after the stem, and documentation that points at the other
// (`=a`).
import type { ElementIndex, ElementInfo } from './elementIndex';

export interface FamilyMember {
  clickName: string;
  /** How the two were found to be related, for the plan's explanation. */
  relation: string;
}

/** Click names a class is exported under besides its own (`EXPORT_ELEMENT(A-B)` exports A as B). */
export function exportAliases(index: ElementIndex, info: ElementInfo): string[] {
  return index.familyFacts(info).aliases;
}

/** The name without a variant suffix: `_Anything`, or a short run of capitals after a lower-case letter (`MP`, `IMP`). */
export function nameStem(name: string): string {
  const underscore = name.indexOf('_');
  if (underscore > 0) return name.slice(0, underscore);
  const m = /^(.*[a-z0-9])([A-Z]{1,4})$/.exec(name);
  return m ? m[1] : name;
}

/** The element's family, worked out once per element table (it compares the element with every other). */
export function familyOf(index: ElementIndex, clickName: string): readonly FamilyMember[] {
  return index.perTable(`family ${clickName}`, () => findFamily(index, clickName));
}

function findFamily(index: ElementIndex, clickName: string): FamilyMember[] {
  const self = index.element(clickName);
  if (!self) return [];
  // The facts come from the persistent index's element table when it holds: no model is read for the other elements.
  const names = (e: ElementInfo) => [e.clickName, ...index.familyFacts(e).aliases];
  const selfFacts = index.familyFacts(self);
  const selfNames = names(self);
  const selfStems = new Set(selfNames.map(nameStem));
  const selfBases = selfFacts.bases;
  const out: FamilyMember[] = [];
  for (const other of index.elements()) {
    if (other.clickName === clickName || other.className === self.className) continue;
    const otherNames = names(other);
    const stem = otherNames.map(nameStem).find((s) => selfStems.has(s));
    const otherFacts = index.familyFacts(other);
    const otherBases = otherFacts.bases;
    const sharedBase = otherBases.find((b) => selfBases.includes(b) && [...selfStems].some((s) => b.startsWith(s)));
    const seeAlso = selfFacts.seeAlso.some((x) => otherNames.includes(x)) || otherFacts.seeAlso.some((x) => selfNames.includes(x));
    let relation: string | undefined;
    if (stem) relation = `same name stem ${stem}`;
    else if (otherBases.includes(self.className)) relation = `${other.clickName} derives from ${self.className}`;
    else if (selfBases.includes(other.className)) relation = `${self.clickName} derives from ${other.className}`;
    else if (sharedBase) relation = `both derive from ${sharedBase}`;
    // A see-also alone links unrelated elements (ARPQuerier and ARPAdvertiser): it counts only for
    // names that share most of their length.
    else if (seeAlso && similarNames(self.clickName, other.clickName)) relation = 'their documentation refers to each other';
    if (relation) out.push({ clickName: other.clickName, relation });
  }
  return out.sort((a, b) => (a.clickName < b.clickName ? -1 : 1));
}

/** Names sharing a prefix of at least 6 characters and 60% of the shorter one. */
function similarNames(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i >= 6 && i >= 0.6 * Math.min(a.length, b.length);
}
