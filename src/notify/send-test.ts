// A test message through one channel, for POST /api/v1/fabrics/{fabric}/notifications/test: it
// proves the configuration works end to end and answers with what the server said.
import { summarize } from './finding-names.js';
import type { DeliveryResult, Notification } from './notification.js';
import type { Channel, NotificationSettings } from './notification-settings.js';
import { createNotifier, type NotifierOptions } from './notifier-factory.js';
import { validateNotificationSettings } from './validate-notification-settings.js';

/** A recognisable, harmless notification: a move of a documentation MAC (RFC 7042). */
export function testNotification(fabric: string, now = Date.now()): Notification {
  const loc = { ifId: 'eth1/1', encap: 'vlan-1', pcTag: 0, rwMac: '', rwBd: 0, ts: now };
  const finding = {
    kind: 'move',
    fabric,
    vnid: 0,
    addr: '00:00:5e:00:53:01',
    type: 'mac',
    ts: now,
    node: 0,
    src: { ...loc, node: 101 },
    dst: { ...loc, node: 102 },
  } as const;
  const names = { tenant: '', vrf: '', bd: '', epg: '', node: '', srcNode: '', dstNode: '' };
  return { finding, names, suppressed: 0, summary: `TEST from ept: ${summarize(finding, names)}` };
}

/**
 * Sends a test notification through `channel` with `settings` (the fabric's resolved settings).
 * Configuration problems come back as a failed result naming the setting; never throws.
 */
export async function sendTest(
  channel: Channel,
  settings: NotificationSettings,
  fabric: string,
  opts: NotifierOptions,
): Promise<DeliveryResult> {
  // Check the channel as if it were enabled, so an incomplete configuration is named, not attempted.
  const check = validateNotificationSettings({ ...settings, [`notify_move_${channel}`]: true });
  if (!check.ok)
    return {
      ok: false,
      channel,
      attempts: 0,
      error: check.errors.map((e) => `${e.setting}: ${e.message}`).join('; '),
    };
  // A test answers now: no webhook retries.
  const notifier = createNotifier(channel, { ...settings, webhook_retries: 0 }, opts);
  try {
    return await notifier.send(testNotification(fabric));
  } finally {
    await notifier.close();
  }
}
