import type { Request, Response } from 'express';
import type { ClusterDetail, ClusterView, TicketView } from '@ci-stack/cimaster-api';
import type { Cluster, JobRun, Labels, Problem, Ticket } from '@ci-stack/pool';

/** The stored form (the pool library's business) converted to what the HTTP API shows (the contract's). */

function labelsView(labels: Labels | undefined): Record<string, string> {
  // A null-prototype object: label keys are user input.
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of labels ?? []) out[k] = v;
  return out;
}

function jobView(j: JobRun | undefined): ClusterView['job'] {
  if (!j) return null;
  return { kind: j.kind, attempt: j.attempt, name: j.name ?? null, status_link: j.statusLink ?? null, log_link: j.logLink ?? null, requested_at: j.requestedAt };
}

function problemView(p: Problem | undefined): ClusterView['problem'] {
  return p ? { reason: p.reason, prowjob: p.prowJob ?? null, log_link: p.logLink ?? null, at: p.at } : null;
}

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
    labels: labelsView(c.labels),
    job: jobView(c.job),
    problem: problemView(c.problem),
    managed_by: c.managedBy ?? null,
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
      prowjob: h.prowJob ?? null,
      log_link: h.logLink ?? null,
    })),
  };
}

export function ticketView(t: Ticket, position: number): TicketView {
  return { position, build: t.build, job: t.job, region: t.region ?? null, labels: labelsView(t.labels), enqueued_at: t.enqueuedAt, deadline: t.deadline };
}

function wantsJson(req: Request): boolean {
  return req.accepts(['text/plain', 'application/json']) === 'application/json';
}

/** Plain text for shell scripts (as the original service answered), JSON when asked for. */
export function reply(req: Request, res: Response, status: number, text: string, json: Record<string, unknown>): void {
  if (wantsJson(req)) res.status(status).json({ success: status < 400, message: text, ...json });
  else res.status(status).type('text/plain').send(text);
}
