import type { Request, Response } from 'express';
import type { ClusterDetail, ClusterView, TicketView } from '@ci-stack/cimaster-api';
import type { Cluster, Ticket } from '@ci-stack/pool';

/** The stored form (the pool library's business) converted to what the HTTP API shows (the contract's). */
export function clusterView(c: Cluster): ClusterView {
  return {
    name: c.name,
    region: c.region,
    state: c.state,
    since: c.since,
    holder: c.holder ? { ...c.holder } : null,
    lease_expires: c.leaseExpires ?? null,
    hold_expires: c.holdExpires ?? null,
    disabled_reason: c.disabledReason ?? null,
    added_by: c.addedBy ?? null,
    added_at: c.addedAt,
  };
}

export function clusterDetail(c: Cluster): ClusterDetail {
  return {
    ...clusterView(c),
    history: [...c.history].reverse().map((h) => ({
      state: h.state,
      build: h.build ?? null,
      job: h.job ?? null,
      user: h.user ?? null,
      from: h.from,
      to: h.to,
      duration_seconds: Math.round((Date.parse(h.to) - Date.parse(h.from)) / 1000),
      ended: h.ended,
    })),
  };
}

export function ticketView(t: Ticket, position: number): TicketView {
  return { position, build: t.build, job: t.job, region: t.region ?? null, enqueued_at: t.enqueuedAt, deadline: t.deadline };
}

function wantsJson(req: Request): boolean {
  return req.accepts(['text/plain', 'application/json']) === 'application/json';
}

/** Plain text for shell scripts (as the original service answered), JSON when asked for. */
export function reply(req: Request, res: Response, status: number, text: string, json: Record<string, unknown>): void {
  if (wantsJson(req)) res.status(status).json({ success: status < 400, message: text, ...json });
  else res.status(status).type('text/plain').send(text);
}
