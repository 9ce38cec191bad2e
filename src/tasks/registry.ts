/**
 * The registry of task families. Family files register themselves on import; catalog.ts imports them all.
 * Holds no family itself, so that importing it from a family file creates no import cycle.
 */
import { DOMAINS, type Domain, type TaskFamily } from './family.js';

const families = new Map<string, TaskFamily>();

/** Adds a family. Names are unique and look like `domain/name` (user tasks: `user/name`, any domain). */
export function registerFamily<C extends Record<string, unknown>>(family: TaskFamily<C>): TaskFamily<C> {
  if (families.has(family.name)) throw new Error(`task family ${family.name} is already registered`);
  if (!/^[a-z]+\/[a-z0-9_-]+$/.test(family.name)) {
    throw new Error(`task family name '${family.name}' must look like 'domain/name' in lowercase letters, digits, - and _`);
  }
  families.set(family.name, family as unknown as TaskFamily);
  return family;
}

/** Removes a family (user tasks loaded for one run); built-in families stay for the process's life. */
export function unregisterFamily(name: string): void {
  families.delete(name);
}

/** The family called `name`, or an error that lists the closest names. */
export function getFamily(name: string): TaskFamily {
  const family = families.get(name);
  if (family) return family;
  const tail = name.split('/').pop() ?? name;
  const near = [...families.keys()].filter((n) => n.includes(tail) || tail.includes(n.split('/')[1]));
  const hint = near.length ? `did you mean ${near.join(', ')}?` : `run 'continuum tasks list' to see them`;
  throw new Error(`unknown task family '${name}': ${hint}`);
}

export function hasFamily(name: string): boolean {
  return families.has(name);
}

/** All registered families, sorted by name, optionally only those of some domains. */
export function listFamilies(domains?: readonly Domain[]): TaskFamily[] {
  const all = [...families.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  return domains ? all.filter((f) => domains.includes(f.domain)) : all;
}

/** Checks a domain name given by a user. */
export function parseDomain(name: string): Domain {
  if ((DOMAINS as readonly string[]).includes(name)) return name as Domain;
  throw new Error(`unknown domain '${name}': use one of ${DOMAINS.join(', ')}`);
}
