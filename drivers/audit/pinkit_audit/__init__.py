# SPDX-License-Identifier: GPL-2.0
"""pinkit_audit - the modules of the pinkit-audit command
(drivers/audit/pinkit-audit).
"""
