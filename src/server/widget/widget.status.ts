/**
 * What the widget tells a visitor before they write, honestly: the people on duty (real names and
 * photos), whether business hours are open now and when that changes, and how fast a first reply comes —
 * the measured median on this channel when there is enough data, and the SLA target it aims for.
 */
import { openingAt } from "../../core/business-hours.ts";
import { matchPolicy } from "../../core/sla.ts";
import type { Database } from "../../store/db.ts";
import { slaRepository } from "../../store/sla.repository.ts";
import { type DutyAgent, webchatRepository } from "../../store/webchat.repository.ts";
import type { WidgetChannel } from "./widget.channels.ts";

/** Conversations needed before a measured median is shown instead of the target alone. */
export const MIN_SAMPLES = 5;
const WINDOW_MS = 30 * 24 * 3600_000;
const TTL_MS = 5_000;

export interface WidgetStatus {
  channel: { key: string; name: string };
  greeting: string | null;
  color: string | null;
  agents: DutyAgent[];
  /** Business hours open now (always true without business hours). */
  open: boolean;
  /** null: no business hours (around the clock). */
  hours: { timezone: string; changesAt: string | null } | null;
  /** Someone is on duty and it is within hours: a live answer is likely. */
  online: boolean;
  response: { targetMinutes: number; typicalMinutes: number | null; samples: number };
  maxText: number;
}

export class WidgetStatusService {
  private readonly cache = new Map<string, { at: number; status: WidgetStatus }>();
  private readonly repo;
  private readonly sla;

  constructor(
    database: Database,
    private readonly maxText: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = webchatRepository(database.db);
    this.sla = slaRepository(database.db);
  }

  async status(channel: WidgetChannel): Promise<WidgetStatus> {
    const hit = this.cache.get(channel.id);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.status;
    const now = this.now();
    const [agents, policies, measured] = await Promise.all([
      this.repo.onDuty(channel.id),
      this.sla.policies(),
      this.repo.firstResponse(channel.id, new Date(now.getTime() - WINDOW_MS)),
    ]);
    const policy = matchPolicy(policies, { channelId: channel.id, intents: [], urgency: null });
    const opening = openingAt(now, policy.businessHours);
    const status: WidgetStatus = {
      channel: { key: channel.key, name: channel.name },
      greeting: channel.config.greeting ?? null,
      color: channel.config.color ?? null,
      agents,
      open: opening.open,
      hours: policy.businessHours
        ? { timezone: policy.businessHours.timezone, changesAt: opening.changesAt?.toISOString() ?? null }
        : null,
      online: opening.open && agents.length > 0,
      response: {
        targetMinutes: policy.firstResponseMinutes,
        typicalMinutes:
          measured.samples >= MIN_SAMPLES && measured.medianMinutes !== null
            ? Math.max(1, Math.round(measured.medianMinutes))
            : null,
        samples: measured.samples,
      },
      maxText: this.maxText,
    };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(channel.id, { at: Date.now(), status });
    return status;
  }
}
