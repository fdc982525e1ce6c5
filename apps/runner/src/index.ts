export { main } from './main.js';
export { firstPartyModules } from './first-party.js';
export { setup, loadResolved, setupForRun, setupForConfig, workerSetup } from './setup.js';
export { componentsMarkdown, componentsText, describeOptions } from './commands/components.js';
