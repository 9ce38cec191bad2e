/**
 * Every built-in task family. Importing this module registers them all.
 * Adding a family: copy the closest family file (they all read in the same order: name, config, levels,
 * generate, score, key, maxLength, registration), change it, and add one import line here. The universal tests
 * (test/tasks/universal.test.ts) and `continuum tasks check` then check it like every other family.
 */
import './math/add.js';
import './math/sub.js';
import './math/mul.js';
import './math/mod.js';
import './math/table.js';
import './math/compare.js';
import './math/gcd.js';
import './math/expr.js';
import './math/linear.js';
import './math/digitsum.js';
import './math/count.js';
import './code/trace.js';
import './code/stack.js';
import './code/complete.js';
import './code/listops.js';
import './logic/bool.js';
import './logic/order.js';
import './logic/syllogism.js';
import './logic/sat.js';
import './text/reverse.js';
import './text/sort.js';
import './text/dedup.js';
import './text/caesar.js';
import './text/count.js';
import './text/palindrome.js';
import './text/case.js';
import './icl/cipher.js';
import './icl/affine.js';
import './icl/rewrite.js';
import './icl/lookup.js';
import './world/reach.js';
import './world/fetch.js';
