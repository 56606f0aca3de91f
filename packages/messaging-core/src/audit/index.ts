// @parley/messaging-core/audit: this context's public names (the package index re-exports them).
// The audit entry and its mapping from events live in the kernel (every context writes entries).

export type {
  AuditCore,
  AuditDependencies,
  AuditLogFilters,
  AuditLogPage,
  ListAuditLogInput,
} from './audit-core.js';
export { createAuditCore } from './audit-core.js';
