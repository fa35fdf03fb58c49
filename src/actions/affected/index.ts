import { runAction } from '../runAction.js';
import { runStep } from '../runStep.js';

await runAction(() => runStep('affected'));
