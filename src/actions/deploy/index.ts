import { runAction } from '../runAction.js';
import { run } from './main.js';

await runAction(run);
