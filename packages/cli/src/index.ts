export { runCli, CLI_HELP } from './cli';
export { CliError } from './cli-error';
export type { CliIo } from './cli-error';
export { runLanguageDemo, LANGUAGE_DEMO_DEFAULTS, LANGUAGE_DEMO_QUICK } from './demo/language-demo';
export type { LanguageDemoSettings, DemoHooks } from './demo/language-demo';
export { runImageDemo, IMAGE_DEMO_DEFAULTS, IMAGE_DEMO_QUICK } from './demo/image-demo';
export type { ImageDemoSettings } from './demo/image-demo';
export { reportHtml } from './demo/report-html';
export type { DemoResults, DemoRun } from './demo/report-html';
