"""Queue health (/staff/queues): queue lengths, failed jobs (requeue), workers alive and the
scheduler's duties with their last runs, as RQ records them in Redis."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from app.back_office import bp
from app.back_office.queue_health import JOB_ID, FailedJobGone, QueuesUnavailable, read_queue_health, requeue_failed_job
from app.provisioning.forms import StaffActionForm
from app.queue import redis_connection
from app.worker import QUEUE_NAMES


@bp.get("/queues")
def queues():
    try:
        health, problem = read_queue_health(redis_connection(), QUEUE_NAMES), None
    except QueuesUnavailable as error:
        current_app.logger.warning("queue page: Redis did not answer: %s", error)
        health, problem = None, "Redis does not answer: queue lengths, workers and duties cannot be read right now."
    return render_template("back_office/queues.html", health=health, problem=problem, action_form=StaffActionForm(),
                           queue_names=QUEUE_NAMES), 503 if problem else 200


@bp.post("/queues/<queue_name>/failed/<job_id>/requeue")
def requeue_job(queue_name: str, job_id: str):
    if queue_name not in QUEUE_NAMES or not JOB_ID.fullmatch(job_id):
        abort(404)
    if not StaffActionForm().validate_on_submit():
        abort(400)
    try:
        requeue_failed_job(redis_connection(), queue_name, job_id)
        flash(f"Job {job_id} is back on the {queue_name} queue.", "success")
    except FailedJobGone as refusal:
        flash(refusal.message, "warning")
    except QueuesUnavailable:
        flash("Redis does not answer: the job was not requeued. Try again in a moment.", "danger")
    return redirect(url_for("back_office.queues"))
