import { describe } from 'vitest';
import { universalSuite } from './universal.js';

describe('universal checks: icl, world', () => universalSuite(['icl', 'world']));
