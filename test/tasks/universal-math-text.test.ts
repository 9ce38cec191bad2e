import { describe } from 'vitest';
import { universalSuite } from './universal.js';

describe('universal checks: math, text', () => universalSuite(['math', 'text']));
