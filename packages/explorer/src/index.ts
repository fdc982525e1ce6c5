export { exportSite, readSavedModel, type ExportSiteOptions } from './export-site.js';
export { bundlePage, type PageModule, type PageBundle, type NodeImport } from './bundle-page.js';
export { serveSite, type SiteServer } from './serve-site.js';
export type { SiteData, SiteMap, SavedModel, DatasetSummary } from './site-data.js';
