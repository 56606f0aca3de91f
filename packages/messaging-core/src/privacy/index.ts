// @parley/messaging-core/privacy: this context's public names (the package index re-exports them).
export type {
  ErasureOutcome,
  PersonalAttachmentRecord,
  PersonalBlockRecord,
  PersonalDataPage,
  PersonalDataSection,
  PersonalDirectoryRecord,
  PersonalEmailLogRecord,
  PersonalHiddenMessageRecord,
  PersonalMembershipRecord,
  PersonalMessageRecord,
  PersonalReceiptRecord,
  PersonalRevisionRecord,
} from './model/personal-data.js';
export { ERASED_CONTENT, ERASED_NAME } from './model/personal-data.js';
export type {
  PersonalDataRepositories,
  PersonalDataRepository,
  PersonalDataStore,
} from './ports/personal-data-store.js';
export type { PrivacyCore, PrivacyCoreDependencies } from './privacy-core.js';
export { createPrivacyCore } from './privacy-core.js';
export type { ErasureResult } from './use-cases/erase-personal-data.js';
export type { PersonalDataExport, PersonalDataFile } from './use-cases/export-personal-data.js';
export { EXPORT_PAGE_SIZE, pagesOf, personalDataSections } from './use-cases/personal-data-sections.js';
