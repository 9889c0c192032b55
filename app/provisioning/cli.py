"""``flask provisioning-sweep``: the sweeper, by hand or from cron."""
import click
from redis.exceptions import RedisError

from app.accounts.services import utcnow
from app.provisioning import bp
from app.provisioning.sweeper import sweep


@bp.cli.command("provisioning-sweep")
def provisioning_sweep_command() -> None:
    """Hand back abandoned fulfillment requests and re-enqueue forgotten ones."""
    try:
        report = sweep(utcnow())
    except RedisError as error:
        raise click.ClickException(f"Redis is not reachable: {error}") from error
    click.echo(f"Released {report.released} abandoned request(s); enqueued {report.requeued}.")
