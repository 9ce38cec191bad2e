import { describe } from 'vitest';
import { universalSuite } from './universal.js';

describe('universal checks: code, logic', () => universalSuite(['code', 'logic']));
