delete from indicator_counts where is_demo
