/** Where an event comes from: one integration of the listed types, or the hub itself. */
export interface EventSpec {
  /** The event's name, e.g. `message.received`. */
  event: string;
  description: string;
  /**
   * Integration types that emit it, or `any`: a hub event that a trigger may narrow to one
   * integration of any type (delivery failures, health).
   */
  types: readonly string[] | 'any';
  /** A hub event: a trigger on it needs no integration (schedule ticks, delivery failures…). */
  hub: boolean;
  /** False for events declared for later: listed, but a trigger on them is refused. */
  available: boolean;
  /**
   * A virtual (polled) event: the hub asks the platform for it at the trigger's interval instead of
   * being told. Such triggers, like `schedule.tick`, take an `interval` from {@link EventSpec.intervals}.
   */
  virtual?: boolean;
  /** The `interval` values (minutes) a trigger on this event accepts; absent: it takes none. */
  intervals?: readonly number[];
  /** The interval (minutes) when a trigger gives none; one of `intervals`. */
  defaultInterval?: number;
}

/** Allowed `interval` values of a `schedule.tick` trigger, in minutes (1 h … 48 h). Default 60. */
export const SCHEDULE_INTERVALS = [60, 120, 240, 480, 720, 1440, 2880] as const;

/** Allowed `interval` values of a polled (virtual) trigger such as `email.received`, in minutes. Default 5. */
export const POLL_INTERVALS = [1, 5, 15, 30, 60] as const;
/** The interval of a polled trigger that names none, in minutes. */
export const DEFAULT_POLL_INTERVAL = 5;

/** Every event a trigger may follow. */
export const EVENT_CATALOG: readonly EventSpec[] = [
  { event: 'message.received', description: 'A person wrote in a chat the bot is in', types: ['telegram', 'slack'], hub: false, available: true },
  { event: 'reaction.added', description: 'A person added a reaction to a message (Telegram: chats where the bot is an admin)', types: ['telegram', 'slack'], hub: false, available: true },
  { event: 'member.joined', description: 'A person joined a chat or channel the bot is in (Telegram: chats where the bot is an admin)', types: ['telegram', 'slack'], hub: false, available: true },
  {
    event: 'email.received',
    description: 'A new email arrived in the Gmail inbox (polled through the Gmail history API every interval: 1, 5, 15, 30 or 60 minutes)',
    types: ['gmail'],
    hub: false,
    available: true,
    virtual: true,
    intervals: POLL_INTERVALS,
    defaultInterval: DEFAULT_POLL_INTERVAL,
  },
  { event: 'hook.received', description: 'An outside service called the inbound hook URL', types: ['hook'], hub: false, available: true },
  { event: 'schedule.tick', description: 'Every N minutes (interval: 60, 120, 240, 480, 720, 1440 or 2880)', types: [], hub: true, available: true, intervals: SCHEDULE_INTERVALS, defaultInterval: 60 },
  { event: 'delivery.failed', description: 'A send failed for good or ran out of attempts (dead-lettered)', types: 'any', hub: true, available: true },
  { event: 'integration.unhealthy', description: 'An integration turned unhealthy (revoked token, 410 Gone…)', types: 'any', hub: true, available: true },
];

/** The spec of an event name, or undefined. */
export function eventSpec(event: string): EventSpec | undefined {
  return EVENT_CATALOG.find((e) => e.event === event);
}

/** The events a trigger on an integration of `type` may follow; without a type, the hub's own. */
export function eventsFor(type?: string): EventSpec[] {
  return EVENT_CATALOG.filter((e) => (type === undefined ? e.hub : e.types === 'any' || e.types.includes(type)));
}

/** The virtual (polled) events integrations of `type` emit, e.g. `email.received` for `gmail`. */
export function virtualEventsOf(type: string): string[] {
  return EVENT_CATALOG.filter((e) => e.virtual && e.types !== 'any' && e.types.includes(type)).map((e) => e.event);
}
