import type { Migration } from 'kysely';
import * as adminNotifications from '../alerts/migrations/0009-admin-notifications.js';
import * as sharedAlertState from '../alerts/migrations/0012-shared-alert-state.js';
import * as auditLog from '../audit/migrations/0025-audit-log.js';
import * as messaging from '../conversations/migrations/0001-messaging.js';
import * as attachmentPaths from '../conversations/migrations/0004-attachment-paths.js';
import * as inboxBadgeIndexes from '../conversations/migrations/0007-inbox-badge-indexes.js';
import * as messageSeq from '../conversations/migrations/0010-message-seq.js';
import * as eventLog from '../conversations/migrations/0013-event-log.js';
import * as conversationMembers from '../conversations/migrations/0014-conversation-members.js';
import * as careTeam from '../conversations/migrations/0016-care-team.js';
import * as deliveryReceipts from '../conversations/migrations/0017-delivery-receipts.js';
import * as archive from '../conversations/migrations/0018-archive.js';
import * as messageRevisions from '../conversations/migrations/0019-message-revisions.js';
import * as messageSearch from '../conversations/migrations/0021-message-search.js';
import * as moderation from '../conversations/migrations/0024-moderation.js';
import * as messageSearchRecent from '../conversations/migrations/0030-message-search-recent.js';
import * as participantConversationsIndex from '../conversations/migrations/0031-participant-conversations-index.js';
import * as email from '../email/migrations/0005-email.js';
import * as emailTemplates from '../email/migrations/0006-email-templates.js';
import * as mailFallback from '../email/migrations/0022-mail-fallback.js';
import * as inboundBounceTemplates from '../email/migrations/0028-inbound-bounce-templates.js';
import * as directory from '../kernel/migrations/0002-directory.js';
import * as platformSettings from '../kernel/migrations/0003-platform-settings.js';
import * as peopleDirectory from '../kernel/migrations/0015-people-directory.js';
import * as rateLimitCounters from '../kernel/migrations/0029-rate-limit-counters.js';
import * as notifications from '../notifications/migrations/0008-notifications.js';
import * as notificationFencing from '../notifications/migrations/0011-notification-fencing.js';
import * as notificationPreferences from '../notifications/migrations/0026-notification-preferences.js';
import * as personalData from '../privacy/migrations/0027-personal-data.js';
import * as webhooks from '../webhooks/migrations/0023-webhooks.js';

/**
 * Every migration, in order, held in code (not read from the filesystem) so a bundled build
 * migrates too. Names sort in the order they run; never rename or edit a released one.
 */
export const PARLEY_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_messaging': messaging,
  '0002_directory': directory,
  '0003_platform_settings': platformSettings,
  '0004_attachment_paths': attachmentPaths,
  '0005_email': email,
  '0006_email_templates': { up: emailTemplates.up, down: emailTemplates.down },
  '0007_inbox_badge_indexes': inboxBadgeIndexes,
  '0008_notifications': notifications,
  '0009_admin_notifications': adminNotifications,
  '0010_message_seq': messageSeq,
  '0011_notification_fencing': notificationFencing,
  '0012_shared_alert_state': sharedAlertState,
  '0013_event_log': eventLog,
  '0014_conversation_members': conversationMembers,
  '0015_people_directory': peopleDirectory,
  '0016_care_team': careTeam,
  '0017_delivery_receipts': deliveryReceipts,
  '0018_archive': archive,
  '0019_message_revisions': messageRevisions,
  '0021_message_search': messageSearch,
  '0022_mail_fallback': mailFallback,
  '0023_webhooks': webhooks,
  '0024_moderation': moderation,
  '0025_audit_log': auditLog,
  '0026_notification_preferences': notificationPreferences,
  '0027_personal_data': personalData,
  '0028_inbound_bounce_templates': inboundBounceTemplates,
  '0029_rate_limit_counters': rateLimitCounters,
  '0030_message_search_recent': messageSearchRecent,
  '0031_participant_conversations_index': participantConversationsIndex,
};
