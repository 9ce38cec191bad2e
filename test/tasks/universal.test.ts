/**
 * The universal tests: every registered family, domain by domain, must pass every check in src/tasks/checks.ts
 * (about 15 s in all: one file among the suite's others, which vitest runs two at a time).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/tasks/index.js';
import { CHECKS, checkFamily, type CheckResult } from '../../src/tasks/checks.js';
import { DOMAINS, type Domain } from '../../src/tasks/family.js';
import { listFamilies } from '../../src/tasks/registry.js';

function universalSuite(domain: Domain): void {
  const families = listFamilies([domain]);
  it('has families in this domain', () => expect(families.length).toBeGreaterThan(0));
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

// User tasks come from a JSONL file, not the registry: user.test.ts runs the checks on one.
for (const domain of DOMAINS.filter((d) => d !== 'user')) describe(`universal checks: ${domain}`, () => universalSuite(domain));
