import type { Migration } from 'kysely';
import * as messaging from './0001-messaging.js';
import * as directory from './0002-directory.js';
import * as platformSettings from './0003-platform-settings.js';
import * as attachmentPaths from './0004-attachment-paths.js';
import * as email from './0005-email.js';
import * as emailTemplates from './0006-email-templates.js';
import * as inboxBadgeIndexes from './0007-inbox-badge-indexes.js';
import * as notifications from './0008-notifications.js';
import * as adminNotifications from './0009-admin-notifications.js';
import * as messageSeq from './0010-message-seq.js';
import * as notificationFencing from './0011-notification-fencing.js';
import * as sharedAlertState from './0012-shared-alert-state.js';
import * as eventLog from './0013-event-log.js';
import * as conversationMembers from './0014-conversation-members.js';

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
};
