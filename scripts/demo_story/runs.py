"""Telling the story: once with every step printed and the end state as a table, or many times
on faulty sandboxes with one line per run and a summary."""

import queue
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from collections import Counter
from dataclasses import dataclass, field

from .faults import Faults
from .report import final_state, print_table, problems
from .sandbox import ROOT, Sandbox
from .story import STORY
from .world import STOP, StoryFailure, World


@dataclass
class Outcome:
    seconds: float = 0.0
    sandbox_start: float = 0.0
    failure: str | None = None
    duplicates: list = field(default_factory=list)
    wrong: list = field(default_factory=list)
    executable_runs: int = 0
    reruns: int = 0
    rerun_reasons: list = field(default_factory=list)
    aws_faults: Counter = field(default_factory=Counter)
    github_faults: Counter = field(default_factory=Counter)
    aws_requests: int = 0
    github_requests: int = 0
    bot_requests: int = 0

    @property
    def ok(self):
        return self.failure is None and not self.duplicates and not self.wrong


def tell(world, on_step=lambda index, line, seconds: None):
    """Every step in order, then the end-state checks. Returns (state, duplicates, wrong)."""
    for index, step in enumerate(STORY, 1):
        started = time.perf_counter()
        try:
            line = step(world)
        except StoryFailure as failure:
            raise StoryFailure(f"step {index} ({step.__name__}): {failure}") from None
        on_step(index, line, time.perf_counter() - started)
    state = final_state(world)
    duplicates, wrong = problems(world, state)
    return state, duplicates, wrong


def tell_once(binaries, seed=None, verbose=False):
    sandbox = Sandbox()
    world = World(sandbox, binaries, verbose=verbose, seed=seed)
    print(f"== sandbox up in {sandbox.start_seconds:.1f} s: AWS {sandbox.aws_url}, GitHub {sandbox.github_url}, "
          f"repository {sandbox.repository}; agent copied to {world.tree}\n")
    try:
        state, duplicates, wrong = tell(
            world, lambda index, line, seconds: print(f"[{index:2}] {line}  ({seconds:.1f} s)", flush=True))
    except StoryFailure as failure:
        print(f"\nFAILED {failure}")
        return False
    finally:
        world.close()
        sandbox.stop()
        sandbox.remove_log()
    print_table(world, state)
    for problem in duplicates + wrong:
        print(f"PROBLEM: {problem}")
    if not duplicates and not wrong:
        print("\nEnd state as expected: prod serves v1 after the rollback (v2 kept), every pull request's "
              "runtime gone, both deployment issues closed as promoted, one comment per pull request.")
    return not duplicates and not wrong


def tell_faulty(binaries, rate, seed, verbose, cache=None):
    """One story on a fresh sandbox whose requests fail at `rate`."""
    outcome = Outcome()
    started = time.perf_counter()
    sandbox = Sandbox(seed=seed)
    outcome.sandbox_start = sandbox.start_seconds
    faults = Faults(sandbox, rate)
    world = World(sandbox, binaries, faults=faults, verbose=verbose, seed=seed, cache=cache)
    try:
        _, outcome.duplicates, outcome.wrong = tell(world)
    except StoryFailure as failure:
        outcome.failure = str(failure)
    except Exception as error:  # the driver itself, or the sandbox, broke: a failed run, not a crash
        outcome.failure = f"{type(error).__name__}: {error}"
    finally:
        outcome.executable_runs = sum(run.attempts for run in world.runs)
        outcome.reruns = sum(run.attempts - 1 for run in world.runs)
        outcome.rerun_reasons = [error for run in world.runs for error in run.errors]
        try:
            outcome.aws_faults, outcome.github_faults, github_log = faults.injected()
            outcome.aws_requests, outcome.github_requests = faults.exposed["aws"], faults.exposed["github"]
            outcome.bot_requests = sum(1 for r in github_log if r["login"] == sandbox.logins["bot"])
        finally:
            world.close()
            sandbox.stop()
            if outcome.ok:
                sandbox.remove_log()
            else:
                print(f"      sandbox log kept: {sandbox.log.name}")
    outcome.seconds = time.perf_counter() - started
    return outcome


def tell_many(binaries, runs, rate, seed=None, verbose=False, jobs=1):
    print(f"== {runs} runs of the story, {rate:.0%} of the executables' AWS and GitHub requests faulty, "
          f"{jobs} at a time" + (f", seed {seed}" if seed is not None else ""), flush=True)
    started = time.perf_counter()
    outcomes = []
    pool = ThreadPoolExecutor(max_workers=jobs)
    slots = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)

    def tell_in_slot(index):
        # Runs at the same time build different agents for the same runtime names: each slot keeps
        # its own package cache, so none rebuilds the packages another just replaced.
        slot = slots.get()
        try:
            cache = None if slot == 0 else str(ROOT / ".cache" / f"agentcore-demo-slot{slot}")
            return tell_faulty(binaries, rate, None if seed is None else seed + index, verbose, cache)
        finally:
            slots.put(slot)

    futures = {pool.submit(tell_in_slot, index): index for index in range(runs)}
    try:
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            print_outcome(futures[future] + 1, outcome)
    except KeyboardInterrupt:
        STOP.set()  # the runs in progress stop their sandboxes on the way out
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    summarize(outcomes, time.perf_counter() - started)
    return all(outcome.ok for outcome in outcomes)


def print_outcome(number, outcome):
    verdict = "ok" if outcome.ok else "FAILED"
    print(f"run {number:3}: {verdict:<6} {outcome.seconds:5.1f} s (sandbox {outcome.sandbox_start:.1f} s)  "
          f"faults AWS {sum(outcome.aws_faults.values()):3}/{outcome.aws_requests:<4} "
          f"GitHub {sum(outcome.github_faults.values()):3}/{outcome.github_requests:<4} "
          f"reruns {outcome.reruns:2} of {outcome.executable_runs} runs", flush=True)
    for reason in outcome.rerun_reasons:
        print(f"      rerun after: {reason}")
    for problem in ([outcome.failure] if outcome.failure else []) + outcome.duplicates + outcome.wrong:
        print(f"      PROBLEM: {problem}")


def summarize(outcomes, wall_seconds):
    aws, github = Counter(), Counter()
    for outcome in outcomes:
        aws += outcome.aws_faults
        github += outcome.github_faults
    aws_requests = sum(o.aws_requests for o in outcomes)
    github_requests = sum(o.github_requests for o in outcomes)
    seconds = sorted(o.seconds for o in outcomes)
    reruns = [o.reruns for o in outcomes]
    print("\nSummary")
    print(f"  runs:               {len(outcomes)} ({sum(o.ok for o in outcomes)} ok, {sum(not o.ok for o in outcomes)} failed)")
    print(f"  wall time:          {wall_seconds:.1f} s in all")
    print(f"  wall time per run:  median {seconds[len(seconds) // 2]:.1f} s, max {seconds[-1]:.1f} s, "
          f"sandbox start median {sorted(o.sandbox_start for o in outcomes)[len(outcomes) // 2]:.1f} s")
    print(f"  AWS faults:         {sum(aws.values())} of the executables' {aws_requests} requests "
          f"({sum(aws.values()) / max(1, aws_requests):.1%}): " + ", ".join(f"{k} {n}" for k, n in sorted(aws.items())))
    print(f"  GitHub faults:      {sum(github.values())} of the executables' {github_requests} requests "
          f"({sum(github.values()) / max(1, github_requests):.1%}): " + ", ".join(f"{k} {n}" for k, n in sorted(github.items())))
    print(f"  GitHub bot calls:   max {max(o.bot_requests for o in outcomes)} per run (budget 1,000 an hour)")
    print(f"  executable runs:    {sum(o.executable_runs for o in outcomes)}, of them reruns {sum(reruns)} "
          f"(runs needing any: {sum(1 for r in reruns if r)}, most in one run: {max(reruns)})")
    print(f"  duplicates found:   {sum(len(o.duplicates) for o in outcomes)}")
    print(f"  wrong end states:   {sum(len(o.wrong) for o in outcomes)}")
    print(f"  failed runs:        {sum(1 for o in outcomes if o.failure)}")
