# Copyright (c) grass_mm contributors. All rights reserved.
"""Run a converter's jobs, in worker processes or not, with a progress bar.

mmengine's ``track_parallel_progress`` leaves its pool running when a job
fails: the remaining jobs keep writing into the staging folder while the
converter removes it, so a half-removed staging folder survives the
failure. :func:`run_jobs` stops every worker (terminate, then join) before
the error reaches the caller, so the clean-up of
:class:`~grass_mm.datasets.converters.StagedOutput` runs on a folder that
nothing writes to any more. Used by the
`GraSS <https://arxiv.org/abs/2306.15868>`_ converters.
"""
import multiprocessing
from typing import Callable, List, Sequence, TypeVar

from mmengine.utils import ProgressBar

Job = TypeVar('Job')
Result = TypeVar('Result')


def run_jobs(func: Callable[[Job], Result],
             jobs: Sequence[Job],
             nproc: int = 1) -> List[Result]:
    """``[func(job) for job in jobs]``, in ``nproc`` processes if > 1.

    On the first exception of any job (or an interrupt) the workers are
    terminated and joined before the exception is re-raised, so no job
    runs or writes after this function has returned or raised.

    Args:
        func (Callable): A picklable function of one job.
        jobs (Sequence): The jobs, picklable for ``nproc > 1``.
        nproc (int): Worker processes; 1 runs in this process. Defaults to
            1.

    Returns:
        list: The results in the order of ``jobs``.
    """
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f'nproc must be a positive integer, got {nproc!r}')
    progress = ProgressBar(len(jobs))
    results = []
    if nproc == 1 or len(jobs) <= 1:
        for job in jobs:
            results.append(func(job))
            progress.update()
        return results
    pool = multiprocessing.Pool(min(nproc, len(jobs)))
    try:
        for result in pool.imap(func, jobs):
            results.append(result)
            progress.update()
        pool.close()
    except BaseException:
        pool.terminate()  # stop the workers mid-job ...
        raise
    finally:
        pool.join()  # ... and wait until they are gone
    return results
