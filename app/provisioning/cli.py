"""``flask provisioning-sweep``: the sweeper, by hand or from cron."""
import click
from redis.exceptions import RedisError

from app.core.clock import current_now
from app.provisioning import bp
from app.provisioning.sweeper import sweep


@bp.cli.command("provisioning-sweep")
def provisioning_sweep_command() -> None:
    """Hand back abandoned fulfillment requests and re-enqueue forgotten ones."""
    try:
        report = sweep(current_now())
    except RedisError as error:
        raise click.ClickException(f"Redis is not reachable: {error}") from error
    click.echo(f"Released {report.released} abandoned request(s); enqueued {report.requeued}.")
