"""Jobs (an upload's ingest): one job, and the caller's jobs, newest first.

A job is read by the account that started it, or by an admin; to anyone else it does not
exist (404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from ioc.api.deps import PrincipalDep
from ioc.api.errors import ApiError, problem_body
from ioc.api.middleware import PREFIX
from ioc.api.params import MAX_ID
from ioc.store.models import Job

router = APIRouter(prefix="/jobs", tags=["jobs"])


class Progress(BaseModel):
    done: int = Field(description="Steps done (files, for an ingest)")
    total: int = Field(description="Steps in all")
    stage: str | None = Field(description="What it is doing: reading, validating, writing...")


class JobOut(BaseModel):
    """A job; ``result`` once it succeeded, ``problem`` (RFC 9457) once it failed."""

    id: int
    kind: str = Field(description="ingest | targets | pull | source_test | review_publish | alerts")
    status: str = Field(description="queued | running | succeeded | failed | interrupted")
    started_by: str
    name: str | None = Field(description="What it works on (an upload's file name)")
    progress: Progress
    created_at: str
    started_at: str | None
    finished_at: str | None
    result: dict[str, Any] | None = Field(
        description="An ingest's: the upload's report (run_id, status, accepted, ...)"
    )
    problem: dict[str, Any] | None = Field(description="Why it failed, as a problem")
    links: dict[str, str] = Field(description="self: this job")


class JobPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[JobOut]


def job_path(job_id: int) -> str:
    return f"{PREFIX}/jobs/{job_id}"


def job_problem(stored: dict[str, Any]) -> ApiError:
    """The problem a job failed with, to answer at once."""
    return ApiError(
        stored["status"], stored["code"], stored["vi"], stored["en"], **stored.get("extra", {})
    )


def job_view(job: Job) -> dict[str, Any]:
    problem = job.problem
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "started_by": job.started_by,
        "name": job.request.get("source"),
        "progress": {"done": job.done, "total": job.total, "stage": job.stage},
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "result": job.result,
        "problem": None
        if problem is None
        else problem_body(
            problem["status"], problem["code"], problem["vi"], problem["en"], **problem["extra"]
        ),
        "links": {"self": job_path(job.id)},
    }


@router.get("/{job_id}", summary="One job: status, progress, then its result or problem")
def job(
    request: Request, who: PrincipalDep, job_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]
) -> JobOut:
    found = request.app.state.jobs.get(job_id)
    if found is None or (found.started_by != who.username and who.role != "admin"):
        raise ApiError(404, "unknown_job", f"Không có công việc {job_id}", f"No job {job_id}")
    return JobOut(**job_view(found))


@router.get("", summary="The caller's jobs, newest first")
def jobs(
    request: Request,
    who: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> JobPage:
    total, page = request.app.state.jobs.page(who.username, limit, offset)
    return JobPage(
        total=total, limit=limit, offset=offset, items=[JobOut(**job_view(j)) for j in page]
    )
