// The console: wallet actions through an injected EIP-1193 wallet. A renter types a job and sees, before any
// gas, who could take it and what it would cost (the SDK's quoteJob), posts it with a USDC permit, follows its
// jobs live and stops, settles, disputes or cancels them while the contract allows; a provider sees what it
// can withdraw and withdraws it. Loaded lazily: ethers' wallet code stays out of the explorer's first page.
import { ZeroAddress } from "ethers";
import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useState } from "react";

import type { DashboardConfig } from "../../config.ts";
import {
  formatAmount,
  GPU_MODELS,
  isTerminal,
  type JobQuote,
  parseDecimal,
  type LifecycleJob,
  quoteJob,
  recentJobs,
} from "../../../sdk/index.ts";
import { Panel } from "../components/Panel.tsx";
import { formatCount, formatUsd18, shortHex } from "../data/format.ts";
import { checkJobForm, formModel, type JobFormField, type JobFormInput } from "../data/job-form.ts";
import { useLive } from "../data/live.tsx";
import { routeHref } from "../data/routes.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";
import {
  type Earnings,
  openRenterActions,
  readEarnings,
  readJob,
  RENTER_ACTION_LABELS,
  type RenterAction,
  runRenterAction,
  withdrawAll,
} from "../wallet/job-actions.ts";
import { postJobWithPermit } from "../wallet/post-job.ts";
import { describeTxError } from "../wallet/tx-error.ts";
import { type ConnectedWallet, connectWallet, hasInjectedWallet } from "../wallet/wallet.ts";

/** The payment token the form prices in. */
interface PaymentToken {
  readonly address: string;
  readonly symbol: string;
  readonly decimals: number;
}

/** USDC's decimals until a wallet says otherwise (the quote is shown before connecting). */
const DEFAULT_DECIMALS = 6;

const INITIAL_FORM: JobFormInput = {
  model: "H100",
  gpus: "1",
  hours: "1",
  maxPrice: "4.00",
  rule: "instant",
  bidWindowMinutes: "10",
  revealWindowMinutes: "10",
  specHash: "",
  specJson: "",
};

/** A status line: what happened last, good or bad. */
type Notice = { readonly kind: "ok" | "error"; readonly text: string } | null;

function NoticeLine({ notice, testId }: { notice: Notice; testId: string }): ReactNode {
  if (notice === null) return null;
  return (
    <p className={notice.kind === "error" ? "error" : "ok"} role={notice.kind === "error" ? "alert" : "status"} data-testid={testId}>
      {notice.text}
    </p>
  );
}

/** A price in USDC units as dollars per GPU-hour, for the quote (which works in 18 decimals). */
function toUsd18(units: bigint, decimals: number): bigint {
  return units * 10n ** BigInt(18 - decimals);
}

/** The quote of the request being typed, re-asked (debounced) as it changes and at every new block. */
function useQuote(input: JobFormInput, token: PaymentToken): { quote: JobQuote | null; error: string | null } {
  const decimals = token.decimals;
  const { client, summary, version } = useLive();
  const [state, setState] = useState<{ quote: JobQuote | null; error: string | null }>({ quote: null, error: null });
  const now = summary?.asOf.timestamp;
  useEffect(() => {
    if (now === undefined) return;
    let model: string;
    try {
      model = formModel(input.model).name;
    } catch {
      setState({ quote: null, error: null });
      return;
    }
    const checked = checkJobForm(input, token);
    const gpus = Number(input.gpus);
    const hours = Number(input.hours);
    if (!Number.isInteger(gpus) || gpus < 1 || !(hours > 0)) {
      setState({ quote: null, error: null });
      return;
    }
    // The budget and the price warning need only the price: show them while other fields are still being typed.
    let reserve: bigint | undefined;
    try {
      reserve = checked.ok
        ? toUsd18(checked.request.onChain.reservePricePerGpuHour, decimals)
        : toUsd18(parseDecimal(input.maxPrice, decimals), decimals);
    } catch {
      reserve = undefined;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      quoteJob(client, {
        model,
        gpus,
        durationSeconds: BigInt(Math.round(hours * 3600)),
        ...(reserve === undefined ? {} : { maxPricePerGpuHour: reserve }),
        now: BigInt(now),
      }).then(
        (quote) => !cancelled && setState({ quote, error: null }),
        (error: unknown) => !cancelled && setState({ quote: null, error: error instanceof Error ? error.message : String(error) }),
      );
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // The version moves with every indexed block: the answer follows the market.
  }, [client, input, token, decimals, now, version]);
  return state;
}

function QuoteView({ quote, error }: { quote: JobQuote | null; error: string | null }): ReactNode {
  if (error !== null) return <p className="error">Could not check the market: {error}</p>;
  if (quote === null) return <p className="muted">Type a model, GPUs and hours to see who could take the job.</p>;
  const [week, month] = quote.bands;
  const band = (b: typeof week): string =>
    b.awards === 0 ? "no awards" : `${formatUsd18(b.min ?? 0n)} – ${formatUsd18(b.max ?? 0n)}, median ${formatUsd18(b.median ?? 0n)} (${b.awards} jobs)`;
  return (
    <div data-testid="quote">
      <dl className="facts">
        <dt>Eligible providers</dt>
        <dd data-testid="quote-eligible">{formatCount(quote.eligibleProviders)}</dd>
        <dt>Free {quote.model} GPUs</dt>
        <dd data-testid="quote-free">
          {formatCount(quote.freeGpus)} of {formatCount(quote.listedGpus)} listed
        </dd>
        <dt>Price, last 7 days</dt>
        <dd>{band(week)}</dd>
        <dt>Price, last 30 days</dt>
        <dd>{band(month)}</dd>
        <dt>Cost at the median</dt>
        <dd data-testid="quote-cost">{quote.costAtMedianUsd === null ? "no recent awards" : formatUsd18(quote.costAtMedianUsd)}</dd>
        <dt>Budget escrowed</dt>
        <dd>{quote.budgetUsd === null ? "—" : formatUsd18(quote.budgetUsd)}</dd>
        {quote.referencePrices.length > 0 ? (
          <>
            <dt>Cloud reference</dt>
            <dd>{quote.referencePrices.map((p) => `${p.source} $${p.usdPerGpuHour.toFixed(2)}`).join(" · ")}</dd>
          </>
        ) : null}
      </dl>
      {quote.warnings.length === 0 ? (
        <p className="ok" data-testid="quote-ok">
          Providers can take this job now.
        </p>
      ) : (
        <ul className="warnings" data-testid="quote-warnings" aria-label="Why this job may get no bids">
          {quote.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Field({
  name,
  label,
  error,
  children,
}: {
  name: JobFormField;
  label: string;
  error: string | undefined;
  children: ReactNode;
}): ReactNode {
  return (
    <div className="field">
      <label htmlFor={`job-${name}`}>{label}</label>
      {children}
      {error === undefined ? null : (
        <p className="field-error error" id={`job-${name}-error`} data-testid={`error-${name}`}>
          {error}
        </p>
      )}
    </div>
  );
}

function JobForm({ wallet, onPosted }: { wallet: ConnectedWallet | null; onPosted: (id: bigint) => void }): ReactNode {
  const [input, setInput] = useState<JobFormInput>(INITIAL_FORM);
  const [errors, setErrors] = useState<Partial<Record<JobFormField, string>>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const decimals = wallet?.usdc.decimals ?? DEFAULT_DECIMALS;
  const token = useMemo(
    (): PaymentToken => wallet?.usdc ?? { address: ZeroAddress, symbol: "USDC", decimals: DEFAULT_DECIMALS },
    [wallet],
  );
  const quote = useQuote(input, token);
  const set = (name: JobFormField) => (event: { target: { value: string } }) => {
    setInput((previous) => ({ ...previous, [name]: event.target.value }));
    setErrors((previous) => ({ ...previous, [name]: undefined }));
  };
  const describedBy = (name: JobFormField): string | undefined => (errors[name] === undefined ? undefined : `job-${name}-error`);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setNotice(null);
    const checked = checkJobForm(input, token);
    if (!checked.ok) {
      setErrors(checked.errors);
      setNotice({ kind: "error", text: "Fix the fields marked above: nothing was sent." });
      return;
    }
    setErrors({});
    if (wallet === null) {
      setNotice({ kind: "error", text: "Connect a wallet first: nothing was sent." });
      return;
    }
    setBusy(true);
    try {
      const id = await postJobWithPermit(wallet, checked.request);
      setNotice({ kind: "ok", text: `Posted job #${id}: ${formatAmount(checked.request.budget, decimals)} ${wallet.usdc.symbol} escrowed.` });
      onPosted(id);
    } catch (error) {
      setNotice({
        kind: "error",
        text: describeTxError("Posting the job", error, {
          token: { symbol: wallet.usdc.symbol, decimals },
          priceDecimals: decimals,
        }),
      });
    } finally {
      setBusy(false);
    }
  };

  const readSpecFile = (file: File | undefined): void => {
    if (file === undefined) return;
    file.text().then((text) => setInput((previous) => ({ ...previous, specJson: text })));
  };

  return (
    <div className="console-grid">
      <form className="job-form" onSubmit={submit} noValidate aria-label="Post a job">
        <Field name="model" label="GPU model" error={errors.model}>
          <select id="job-model" value={input.model} onChange={set("model")} aria-describedby={describedBy("model")}>
            {GPU_MODELS.map((model) => (
              <option key={model.name} value={model.name}>
                {model.name} ({model.vramGb} GB)
              </option>
            ))}
          </select>
        </Field>
        <Field name="gpus" label="GPUs" error={errors.gpus}>
          <input id="job-gpus" inputMode="numeric" value={input.gpus} onChange={set("gpus")} aria-invalid={errors.gpus !== undefined} aria-describedby={describedBy("gpus")} />
        </Field>
        <Field name="hours" label="Hours" error={errors.hours}>
          <input id="job-hours" inputMode="decimal" value={input.hours} onChange={set("hours")} aria-invalid={errors.hours !== undefined} aria-describedby={describedBy("hours")} />
        </Field>
        <Field name="maxPrice" label="Max price per GPU-hour (USDC)" error={errors.maxPrice}>
          <input id="job-maxPrice" inputMode="decimal" value={input.maxPrice} onChange={set("maxPrice")} aria-invalid={errors.maxPrice !== undefined} aria-describedby={describedBy("maxPrice")} />
        </Field>
        <Field name="rule" label="Pricing rule" error={undefined}>
          <select id="job-rule" value={input.rule} onChange={set("rule")}>
            <option value="instant">Instant (first provider to accept)</option>
            <option value="first">Sealed auction, first price</option>
            <option value="second">Sealed auction, second price</option>
          </select>
        </Field>
        <Field name="bidWindowMinutes" label={input.rule === "instant" ? "Acceptance window (minutes)" : "Bid window (minutes)"} error={errors.bidWindowMinutes}>
          <input id="job-bidWindowMinutes" inputMode="numeric" value={input.bidWindowMinutes} onChange={set("bidWindowMinutes")} aria-invalid={errors.bidWindowMinutes !== undefined} aria-describedby={describedBy("bidWindowMinutes")} />
        </Field>
        {input.rule === "instant" ? null : (
          <Field name="revealWindowMinutes" label="Reveal window (minutes)" error={errors.revealWindowMinutes}>
            <input id="job-revealWindowMinutes" inputMode="numeric" value={input.revealWindowMinutes} onChange={set("revealWindowMinutes")} aria-invalid={errors.revealWindowMinutes !== undefined} aria-describedby={describedBy("revealWindowMinutes")} />
          </Field>
        )}
        <Field name="specHash" label="Spec hash (or paste a spec below)" error={errors.specHash}>
          <input id="job-specHash" placeholder="0x…" value={input.specHash} onChange={set("specHash")} spellCheck={false} />
        </Field>
        <Field name="specJson" label="Workload spec JSON (gridlease.workload/v1)" error={errors.specJson}>
          <textarea id="job-specJson" rows={4} value={input.specJson} onChange={set("specJson")} spellCheck={false} aria-invalid={errors.specJson !== undefined} aria-describedby={describedBy("specJson")} />
          <label className="file-label">
            Or load a file <input type="file" accept="application/json,.json" onChange={(event) => readSpecFile(event.target.files?.[0])} />
          </label>
        </Field>
        <p className="muted">Paid in USDC with a permit signature: one transaction, no separate approval.</p>
        <button type="submit" disabled={busy} data-testid="post-job">
          {busy ? "Posting…" : "Post job"}
        </button>
        <NoticeLine notice={notice} testId="post-notice" />
      </form>
      <section className="quote" aria-labelledby="quote-title" aria-live="polite">
        <h3 id="quote-title">Before you spend gas</h3>
        <QuoteView quote={quote.quote} error={quote.error} />
      </section>
    </div>
  );
}

/** One job's row: state, and the buttons its phase allows, from the chain's record at the latest block. */
function JobRow({ wallet, id, state, model, gpus }: { wallet: ConnectedWallet; id: bigint; state: string; model: string; gpus: number }): ReactNode {
  const { version } = useLive();
  const [record, setRecord] = useState<{ job: LifecycleJob; now: bigint } | null>(null);
  const [evidence, setEvidence] = useState("");
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    readJob(wallet, id).then(
      (value) => !cancelled && setRecord(value),
      (error: unknown) => !cancelled && setNotice({ kind: "error", text: describeTxError("Reading the job", error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [wallet, id, version, tick]);
  const actions = record === null ? [] : openRenterActions(record.job, record.now);
  const act = async (action: RenterAction): Promise<void> => {
    setBusy(true);
    setNotice(null);
    try {
      await runRenterAction(wallet, id, action, evidence);
      setNotice({ kind: "ok", text: `${RENTER_ACTION_LABELS[action]}: done.` });
    } catch (error) {
      setNotice({
        kind: "error",
        text: describeTxError(RENTER_ACTION_LABELS[action], error, {
          token: { symbol: wallet.usdc.symbol, decimals: wallet.usdc.decimals },
          priceDecimals: wallet.usdc.decimals,
          ...(record === null ? {} : { now: record.now }),
        }),
      });
    } finally {
      setBusy(false);
      setTick((t) => t + 1);
    }
  };
  return (
    <li className="my-job" data-testid={`my-job-${id}`}>
      <div className="my-job-head">
        <a href={routeHref({ page: "job", id })}>Job #{id.toString()}</a>
        <span>
          {gpus}× {model}
        </span>
        <span className="state" data-testid={`my-job-state-${id}`}>
          {state}
        </span>
      </div>
      {actions.length === 0 ? null : (
        <div className="panel-actions">
          {actions.includes("dispute") ? (
            <label>
              Evidence
              <input value={evidence} onChange={(event) => setEvidence(event.target.value)} placeholder="What went wrong" />
            </label>
          ) : null}
          {actions.map((action) => (
            <button type="button" key={action} disabled={busy} onClick={() => void act(action)} data-testid={`action-${action}-${id}`}>
              {RENTER_ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      <NoticeLine notice={notice} testId={`job-notice-${id}`} />
    </li>
  );
}

function MyJobs({ wallet }: { wallet: ConnectedWallet }): ReactNode {
  const result = useIndexerQuery(`console jobs ${wallet.account}`, (client) => recentJobs(client, { renter: wallet.account, limit: 10 }));
  const jobs = result.data?.items ?? [];
  return (
    <Panel title="Your jobs" id="my-jobs" error={result.error} loading={result.data === undefined}>
      {jobs.length === 0 ? (
        <p className="muted">No jobs from {shortHex(wallet.account)} yet.</p>
      ) : (
        <ul className="my-jobs">
          {jobs.map((job) => (
            <JobRow
              key={job.id.toString()}
              wallet={wallet}
              id={job.id}
              state={isTerminal(job.state as Parameters<typeof isTerminal>[0]) ? `${job.state} (final)` : job.state}
              model={job.gpuModelName}
              gpus={job.gpuCount}
            />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function ProviderEarnings({ wallet }: { wallet: ConnectedWallet }): ReactNode {
  const { version } = useLive();
  const [earnings, setEarnings] = useState<Earnings | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    readEarnings(wallet).then(
      (value) => !cancelled && setEarnings(value),
      (error: unknown) => !cancelled && setNotice({ kind: "error", text: describeTxError("Reading the balances", error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [wallet, version, tick]);
  const withdraw = async (): Promise<void> => {
    if (earnings === null) return;
    setBusy(true);
    setNotice(null);
    try {
      const sent = await withdrawAll(wallet, earnings);
      setNotice({ kind: "ok", text: `Withdrawn to ${shortHex(wallet.account)} (${sent} transaction${sent === 1 ? "" : "s"}).` });
    } catch (error) {
      setNotice({ kind: "error", text: describeTxError("Withdrawing", error, { token: { symbol: wallet.usdc.symbol, decimals: wallet.usdc.decimals } }) });
    } finally {
      setBusy(false);
      setTick((t) => t + 1);
    }
  };
  const empty = earnings !== null && earnings.usdc === 0n && earnings.grl === 0n && earnings.usdEarnings === 0n;
  return (
    <Panel title="Provider earnings" id="earnings" loading={earnings === null && notice === null}>
      {earnings === null ? null : (
        <dl className="facts" data-testid="earnings">
          <dt>{wallet.usdc.symbol} on the market</dt>
          <dd data-testid="earnings-usdc">{formatAmount(earnings.usdc, wallet.usdc.decimals)}</dd>
          <dt>GRL on the market</dt>
          <dd>{formatAmount(earnings.grl, 18)}</dd>
          <dt>USD earnings (paid as GRL)</dt>
          <dd>{formatUsd18(earnings.usdEarnings)}</dd>
        </dl>
      )}
      <div className="panel-actions">
        <button type="button" onClick={() => void withdraw()} disabled={busy || earnings === null || empty} data-testid="withdraw">
          {busy ? "Withdrawing…" : "Withdraw all"}
        </button>
      </div>
      <NoticeLine notice={notice} testId="withdraw-notice" />
    </Panel>
  );
}

/** The console page. */
export default function Console({ config }: { config: DashboardConfig }): ReactNode {
  const [wallet, setWallet] = useState<ConnectedWallet | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [connecting, setConnecting] = useState(false);
  const [, setPosted] = useState<bigint | null>(null);
  const connect = useCallback(async (): Promise<void> => {
    setConnecting(true);
    setNotice(null);
    try {
      setWallet(await connectWallet(config));
    } catch (error) {
      setNotice({ kind: "error", text: describeTxError("Connecting the wallet", error) });
    } finally {
      setConnecting(false);
    }
  }, [config]);
  return (
    <>
      <h1>Console</h1>
      <Panel
        title="Wallet"
        id="wallet"
        actions={
          wallet === null ? (
            <button type="button" onClick={() => void connect()} disabled={connecting} data-testid="connect">
              {connecting ? "Connecting…" : "Connect wallet"}
            </button>
          ) : null
        }
      >
        {wallet === null ? (
          <p className="muted">
            {hasInjectedWallet()
              ? "Connect your browser wallet to post jobs and withdraw earnings. You can check a job against the market without one."
              : "No browser wallet found: install an EIP-1193 wallet to act. You can still check a job against the market below."}
          </p>
        ) : (
          <p data-testid="account">
            Connected: <code className="wrap">{wallet.account}</code> on chain {wallet.protocol.chainId.toString()}
          </p>
        )}
        <NoticeLine notice={notice} testId="wallet-notice" />
      </Panel>
      <Panel title="Post a job" id="post">
        <JobForm wallet={wallet} onPosted={setPosted} />
      </Panel>
      {wallet === null ? null : (
        <>
          <MyJobs wallet={wallet} />
          <ProviderEarnings wallet={wallet} />
        </>
      )}
    </>
  );
}
