"""Celery configuration for the Flower that test_flower.py starts (`celery --config flower_config`).

Flower lists the queues its workers consume, or with no worker running the app's default queue
and `task_queues`: this declares the two queues the test fills. Priority lists as celery_app.py.
"""

from kombu import Queue

task_queues = [Queue("celery"), Queue("reports")]
broker_transport_options = {"queue_order_strategy": "priority"}
