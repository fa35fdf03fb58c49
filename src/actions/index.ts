import { run } from './dispatch.js';
import { runAction } from './runAction.js';

await runAction(run);
