from parity.engine.config.schema import ParityConfig
from parity.engine.params import engine_params
from parity.engine.types import OrderType, TimeInForce


def test_engine_params_maps_config_sections_to_plain_numbers():
    cfg = ParityConfig.model_validate({
        "position_sizing": {"max_position_size": 0.1, "max_total_exposure": 0.8, "min_trade_size": 250,
                            "signal_threshold": 0.2, "allow_short": True, "fractional_shares": True},
        "risk_management": {"max_daily_loss": 0.03, "stop_loss_pct": 0.07, "trailing_stop": True},
        "order_management": {"default_order_type": "limit", "limit_price_offset": -0.002,
                             "time_in_force": "ioc", "max_orders_per_bar": 7},
    })
    p = engine_params(cfg)
    assert p.sizing == (0.2, 0.1, 0.8, 250.0, True, True)
    assert p.risk.max_position_size == 0.1 and p.risk.max_total_exposure == 0.8
    assert p.risk.max_daily_loss == 0.03 and p.risk.stop_loss_pct == 0.07 and p.risk.trailing_stop is True
    assert p.orders == (int(OrderType.LIMIT), -0.002, int(TimeInForce.IOC), 7, 250.0)
    assert all(type(v) in (float, int, bool) for part in p for v in part)
