/**
 * The universal tests, shared by the universal-*.test.ts files (split by domain so two workers share the load).
 * Every registered family of the given domains must pass every check in src/tasks/checks.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/tasks/index.js';
import { CHECKS, checkFamily, type CheckResult } from '../../src/tasks/checks.js';
import type { Domain } from '../../src/tasks/family.js';
import { listFamilies } from '../../src/tasks/registry.js';

export function universalSuite(domains: Domain[]): void {
  const families = listFamilies(domains);
  it('has families in these domains', () => expect(families.length).toBeGreaterThan(0));
  for (const family of families) {
    describe(family.name, () => {
      let results: CheckResult[] = [];
      beforeAll(() => {
        results = checkFamily(family, { perLevel: 60 });
      });
      it.each(CHECKS)('%s', (check) => {
        const result = results.find((r) => r.check === check);
        expect(result, `${check} did not run`).toBeDefined();
        // The detail names the family's failing instance; show it as the failure message.
        expect(result!.ok, `${family.name} ${check}: ${result!.detail}`).toBe(true);
      });
      it('is named after its domain and describes itself in one line', () => {
        expect(family.name.startsWith(`${family.domain}/`)).toBe(true);
        expect(family.description.length).toBeGreaterThan(10);
        expect(family.description).not.toContain('\n');
      });
    });
  }
}
