"""The distributor marketplace: ``create_app`` binds extensions and blueprints, nothing more."""
from __future__ import annotations

from flask import Flask

from app.config import PROJECT_ROOT, Config
from app.core import routing
from app.extensions import csrf, db, login_manager, migrate


def create_app(config: object | None = None) -> Flask:
    config = config or Config()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=getattr(config, "INSTANCE_PATH", None),
    )
    app.config.from_object(config)
    app.url_map.converters.update(routing.CONVERTERS)  # before any rule is added

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    # Imported here, not at the top: importing any ``app.*`` module runs this file first, and the
    # areas' blueprints import one another's services; they load when an app is made.
    from app import models  # noqa: F401  every model, so migrations and relationships see them
    from app.accounts import bp as accounts_bp
    from app.back_office import bp as back_office_bp
    from app.billing import bp as billing_bp
    from app.cart import bp as cart_bp
    from app.catalog import bp as catalog_bp
    from app.control_panel import bp as control_panel_bp
    from app.control_panel.customer import bp as customer_bp
    from app.control_panel.reseller import bp as reseller_bp
    from app.core import bp as core_bp
    from app.core import cli, web
    from app.mail import bp as mail_bp
    from app.onboarding import bp as onboarding_bp
    from app.orders import bp as orders_bp
    from app.payments import bp as payments_bp
    from app.plans import bp as plans_bp
    from app.provisioning import bp as provisioning_bp
    from app.white_label import bp as white_label_bp
    from app.webhooks import bp as webhooks_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(onboarding_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(provisioning_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(control_panel_bp)
    app.register_blueprint(reseller_bp)
    app.register_blueprint(customer_bp)
    app.register_blueprint(back_office_bp)
    app.register_blueprint(white_label_bp)
    web.init_app(app)
    cli.init_app(app)
    from app import api

    api.init_app(app)
    return app
