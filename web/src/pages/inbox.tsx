/** The inbox: the fair queue (or a filtered list) beside the open conversation. */
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { useConversationActions } from "../api/actions";
import { type ListFilters, useChannels, useConversationList, useTeams, type View } from "../api/queries";
import type { Agent, ConversationSummary, QueueItem } from "../api/types";
import { NeedChips, SentimentChip, SlaChip, StatusChip } from "../components/chips";
import { useCommands } from "../lib/commands";
import { relativeTime } from "../lib/format";
import { type ComposeMode, ConversationView } from "./conversation";

const VIEWS: Array<[View, string]> = [
  ["queue", "Queue (awaiting reply)"],
  ["open", "Open"],
  ["waiting", "Waiting"],
  ["resolved", "Resolved"],
  ["spam", "Spam"],
  ["all", "All"],
];

function readFilters(search: string): ListFilters {
  const p = new URLSearchParams(search);
  const view = (p.get("view") ?? "queue") as View;
  return {
    view: VIEWS.some(([v]) => v === view) ? view : "queue",
    channel: p.get("channel") ?? "",
    team: p.get("team") ?? "",
    assignee: p.get("assignee") ?? "",
    label: p.get("label") ?? "",
    q: p.get("q") ?? "",
  };
}

function writeFilters(f: ListFilters): string {
  const p = new URLSearchParams();
  for (const [key, value] of Object.entries(f))
    if (value && !(key === "view" && value === "queue")) p.set(key, value);
  const s = p.toString();
  return s ? `?${s}` : "";
}

const isQueueItem = (c: ConversationSummary | QueueItem): c is QueueItem => "why" in c;

export function Inbox({ me, openId }: { me: Agent; openId: string | null }) {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => readFilters(search), [search]);
  const list = useConversationList(filters);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const [selected, setSelected] = useState(0);
  const [compose, setCompose] = useState<{ id: string; mode: ComposeMode } | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const actions = useConversationActions();

  // Keep the keyboard cursor on the open conversation.
  useEffect(() => {
    if (!openId) return;
    const index = items.findIndex((c) => c.id === openId);
    if (index >= 0) setSelected(index);
  }, [openId, items]);

  const setFilters = (change: Partial<ListFilters>) => {
    setSelected(0);
    navigate(`${openId ? `/c/${openId}` : "/"}${writeFilters({ ...filters, ...change })}`, { replace: true });
  };
  const hrefFor = (id: string) => `/c/${id}${writeFilters(filters)}`;
  const target = openId ?? items[selected]?.id ?? null;

  const move = (delta: number) => {
    if (items.length === 0) return;
    const index = Math.min(items.length - 1, Math.max(0, selected + delta));
    setSelected(index);
    const links = listRef.current?.querySelectorAll<HTMLAnchorElement>("a.item-link");
    links?.[index]?.focus();
    // With a conversation open, j/k walk through the list like an inbox.
    if (openId) navigate(hrefFor(items[index]!.id));
  };

  useCommands({
    next: () => move(1),
    previous: () => move(-1),
    open: () => {
      const item = items[selected];
      if (item) navigate(hrefFor(item.id));
      return !!item;
    },
    search: () => {
      document.getElementById("search")?.focus();
    },
    resolve: () => {
      if (target) actions.setStatus.mutate({ id: target, status: "resolved" });
      return !!target;
    },
    assignToMe: () => {
      if (target) actions.assign.mutate({ id: target, agentId: "me" });
      return !!target;
    },
    reply: () => {
      if (!target) return false;
      setCompose({ id: target, mode: "reply" });
      if (!openId) navigate(hrefFor(target));
    },
    note: () => {
      if (!target) return false;
      setCompose({ id: target, mode: "note" });
      if (!openId) navigate(hrefFor(target));
    },
  });

  return (
    <div className={`inbox ${openId ? "has-open" : ""}`}>
      <section className="list-pane" aria-label="Conversations">
        <Filters filters={filters} onChange={setFilters} />
        {list.isPending ? (
          <p className="muted pad">Loading conversations…</p>
        ) : list.isError ? (
          <p className="error pad" role="alert">
            {list.error.message}
          </p>
        ) : items.length === 0 ? (
          <EmptyList filters={filters} />
        ) : (
          <ul className="items" ref={listRef}>
            {items.map((item, index) => (
              <ListItem
                key={item.id}
                item={item}
                href={hrefFor(item.id)}
                open={item.id === openId}
                selected={index === selected}
                onFocus={() => setSelected(index)}
              />
            ))}
          </ul>
        )}
        {list.hasNextPage && (
          <button
            type="button"
            className="button subtle load-more"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </section>
      {openId ? (
        <ConversationView
          key={openId}
          id={openId}
          me={me}
          compose={compose?.id === openId ? compose.mode : null}
          onComposeHandled={() => setCompose(null)}
          backHref={`/${writeFilters(filters)}`}
        />
      ) : (
        <section className="detail-pane placeholder" aria-label="Conversation">
          <p className="muted">
            Select a conversation — <kbd>j</kbd>/<kbd>k</kbd> to move, <kbd>Enter</kbd> to open, <kbd>?</kbd>{" "}
            for all shortcuts.
          </p>
        </section>
      )}
    </div>
  );
}

function Filters({
  filters,
  onChange,
}: {
  filters: ListFilters;
  onChange: (f: Partial<ListFilters>) => void;
}) {
  const channels = useChannels();
  const teams = useTeams();
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);
  return (
    <div className="filters">
      <search>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onChange({ q: q.trim() });
          }}
        >
          <label className="visually-hidden" htmlFor="search">
            Search messages
          </label>
          <input
            id="search"
            type="search"
            placeholder="Search messages  ( / )"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              if (!e.target.value) onChange({ q: "" });
            }}
          />
        </form>
      </search>
      <div className="filter-row">
        <label>
          <span className="visually-hidden">View</span>
          <select
            value={filters.view}
            onChange={(e) => onChange({ view: e.target.value as View })}
            aria-label="View"
          >
            {VIEWS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <select
          aria-label="Channel"
          value={filters.channel}
          onChange={(e) => onChange({ channel: e.target.value })}
        >
          <option value="">All channels</option>
          {channels.data?.map((c) => (
            <option key={c.id} value={c.key}>
              {c.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Assignee"
          value={filters.assignee}
          onChange={(e) => onChange({ assignee: e.target.value })}
        >
          <option value="">Anyone</option>
          <option value="me">Mine</option>
          <option value="none">Unassigned</option>
        </select>
        {filters.view === "queue" && !filters.q ? (
          <select aria-label="Team" value={filters.team} onChange={(e) => onChange({ team: e.target.value })}>
            <option value="">All teams</option>
            {teams.data?.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        ) : null}
        <input
          aria-label="Label"
          placeholder="Label"
          className="label-filter"
          defaultValue={filters.label}
          onKeyDown={(e) => {
            if (e.key === "Enter") onChange({ label: e.currentTarget.value.trim() });
          }}
          onBlur={(e) => {
            if (e.currentTarget.value.trim() !== filters.label)
              onChange({ label: e.currentTarget.value.trim() });
          }}
        />
      </div>
      {(filters.q || filters.label) && filters.view === "queue" && (
        <p className="hint">Searching open and waiting conversations, newest first.</p>
      )}
    </div>
  );
}

function EmptyList({ filters }: { filters: ListFilters }) {
  const filtered = filters.q || filters.channel || filters.assignee || filters.team || filters.label;
  return (
    <div className="empty">
      {filtered ? (
        <>
          <p>Nothing matches these filters.</p>
          <Link href="/">Clear the filters</Link>
        </>
      ) : filters.view === "queue" ? (
        <>
          <p>
            <strong>Everyone has an answer.</strong>
          </p>
          <p className="muted">New messages appear here as they arrive.</p>
        </>
      ) : (
        <p>No {filters.view === "all" ? "" : filters.view} conversations.</p>
      )}
    </div>
  );
}

function ListItem({
  item,
  href,
  open,
  selected,
  onFocus,
}: {
  item: ConversationSummary | QueueItem;
  href: string;
  open: boolean;
  selected: boolean;
  onFocus: () => void;
}) {
  const queue = isQueueItem(item) ? item : null;
  const waitingSince = queue?.waitingSince ?? (item.awaitingReply ? item.lastMessageAt : null);
  return (
    <li className={`item ${selected ? "selected" : ""} ${open ? "open" : ""}`}>
      <Link href={href} className="item-link" aria-current={open ? "true" : undefined} onFocus={onFocus}>
        <div className="item-top">
          <span className="item-person">{item.person?.displayName ?? "Unknown person"}</span>
          <span className="item-channel">{item.channel.name}</span>
          <span className="item-time" title="Waiting for our reply">
            {waitingSince
              ? `waiting ${relativeTime(waitingSince).replace(" ago", "")}`
              : relativeTime(item.lastMessageAt)}
          </span>
        </div>
        <p className="item-preview">{item.preview ?? ""}</p>
        <div className="chips">
          {!queue && <StatusChip status={item.status} />}
          <SentimentChip value={item.lastSentiment} />
          {queue && <NeedChips need={queue.need} />}
          <SlaChip state={item.sla.state} dueAt={queue?.slaDueAt ?? item.sla.dueAt} />
          {item.assignee && <span className="assignee">→ {item.assignee.name}</span>}
        </div>
        {queue && queue.why.length > 0 && (
          <p className="why">
            <span className="why-label">Why here:</span> {queue.why.join(" · ")}
          </p>
        )}
      </Link>
    </li>
  );
}
