"""Deadline reminders: three days and one day before the 30th (districts) and the 6th (provinces), only to
units that have not submitted that month's report."""
